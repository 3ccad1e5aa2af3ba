// ethnic: the 54 ethnic groups (GET /api/v1/ethnic-groups), loaded once and
// named in the user's language. Before they load, a code is shown as such.
import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';

let groups = null;  // [{code, name_vi, name_en}] once loaded
let loading = null; // the pending request

function load() {
  if (!loading) loading = get('/ethnic-groups').then((r) => { groups = r.items || []; return groups; }, (e) => { loading = null; throw e; });
  return loading;
}

// useEthnicGroups: the groups ([] until they arrive).
export function useEthnicGroups() {
  const [list, setList] = useState(groups || []);
  useEffect(() => {
    let live = true;
    if (!groups) load().then((g) => live && setList(g), () => {});
    return () => { live = false; };
  }, []);
  return list;
}

// ethnicName: the group's name in lang, or null when it is not known (yet).
export function ethnicName(list, code, lang) {
  const g = list.find((x) => x.code === code);
  return g ? (lang === 'en' ? g.name_en : g.name_vi) : null;
}
