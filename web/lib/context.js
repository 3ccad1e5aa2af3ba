// context: what every page may read about the app's state.
//   lang      'vi' | 'en', the UI language
//   asOf      the date the data is shown for (YYYY-MM-DD), today by default
//   asOfParam the as_of in the URL, or undefined when the user has not chosen
//             one; links carry it so a chosen date survives navigation
//   loc       {path, query} of the current hash location
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const AppContext = createContext(null);
export const useApp = () => useContext(AppContext);
