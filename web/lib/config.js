// Constants shared by the pages: where the API lives and which unit is the root.
export const API_BASE = '/api/v1';
export const ROOT_CODE = 'VN';
// Page size for child lists and search results (the API allows 1..500).
export const PAGE_SIZE = 200;
export const LANGS = ['vi', 'en'];
export const DEFAULT_LANG = 'vi';
