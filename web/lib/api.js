// api: the HTTP client for /api/v1. Every request goes through request() (a
// file's upload through upload(), which does the same), which
//   - sends the session cookie (same origin) and, on every state-changing
//     request (POST, PUT, PATCH, DELETE), the CSRF token as X-CSRF-Token;
//   - turns the API's error body {"error":{"code","message","details",...}}
//     into an ApiError with its machine code, its parameters (the members
//     beside code, message and details) and its field details; pages show
//     the code's words from the dictionaries (lib/errors.js), never the
//     server's English message, which is kept for logs and debugging only;
//   - tells the app when the session is gone: a 401 (unauthorized or
//     session_expired) on an ordinary request calls the onUnauthorized handler,
//     which shows the log-in page. Requests that expect a 401 as an answer
//     (log-in itself, "who am I", the password change) pass {auth: false}.
// The CSRF token lives only in this module's memory, never in storage.
import { API_BASE } from './config.js';

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter, params) {
    super(message);
    this.name = 'ApiError';
    this.status = status;   // HTTP status, 0 for a network failure
    this.code = code;       // the API's error code, or 'network' / 'bad_response'
    this.details = Array.isArray(details) ? details : [];
    this.retryAfter = retryAfter; // seconds from a Retry-After header, or null
    this.params = params || {};   // the error's parameters ({ref, date} for not_found...)
  }
}

let csrfToken = null;
let unauthorizedHandler = null;

// setCsrfToken: remember the token from POST or GET /session (null: forget it).
export function setCsrfToken(token) { csrfToken = token || null; }

// onUnauthorized: fn(error) is called when an ordinary request answers 401.
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

// query: build "?a=1&b=2" from an object, leaving out null/undefined/'' values.
export function query(params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? '?' + s : '';
}

// unitPath: the path segment naming a unit; codes may hold any character.
export function unitPath(code) {
  return '/units/' + encodeURIComponent(code);
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// retryAfterSeconds: a Retry-After header (seconds or an HTTP date) in seconds.
function retryAfterSeconds(value) {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return parseInt(value, 10);
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

export async function request(method, path, { params, body, signal, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (WRITES.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(API_BASE + path + query(params), {
      method,
      signal,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', String(e && e.message || e));
  }
  const data = answer(res.status, res.statusText, await res.text(), res.headers.get('Retry-After'), auth);
  const lag = res.headers.get('Unionbase-Read-Copy-Lag');
  if (lag !== null && data && typeof data === 'object') {
    readCopies.set(data, { lag: Number(lag), max: Number(res.headers.get('Unionbase-Read-Copy-Max-Lag')) });
  }
  return data;
}

// The answers read from a read copy of the database (serve --read-db), and
// how far behind the main one each may be: {lag, max} seconds.
const readCopies = new WeakMap();

// readCopyOf: {lag, max} when data was read from a read copy, else null.
export function readCopyOf(data) {
  return (data && typeof data === 'object' && readCopies.get(data)) || null;
}

// answer: the data of an answer, or the ApiError it stands for (a 401 on an
// ordinary request reported to the session first).
function answer(status, statusText, text, retryAfter, auth) {
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (status < 200 || status > 299) {
    const err = data && data.error;
    const { code, message, details, ...params } = (err && typeof err === 'object') ? err : {};
    const error = err && typeof code === 'string'
      ? new ApiError(status, code, typeof message === 'string' ? message : '', details,
        retryAfterSeconds(retryAfter), params)
      : new ApiError(status, 'bad_response', `HTTP ${status} ${statusText}`, [], retryAfterSeconds(retryAfter));
    if (status === 401 && auth && unauthorizedHandler) unauthorizedHandler(error);
    throw error;
  }
  if (data === null) throw new ApiError(status, 'bad_response', `HTTP ${status}: not JSON`);
  return data;
}

// upload: POST a file as the raw body (application/octet-stream), with the
// session's cookie and CSRF token like any write, through XMLHttpRequest:
// fetch says nothing of how much of a body has gone, and a list of 50 MB on
// a slow link needs that said. onProgress(sent, total) follows the sending;
// signal aborts it (an AbortError, as fetch's). Answers as request() does.
export function upload(path, params, file, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const aborted = () => reject(new DOMException('aborted', 'AbortError'));
    if (signal && signal.aborted) { aborted(); return; }
    xhr.open('POST', API_BASE + path + query(params));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    if (onProgress) {
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    }
    xhr.onload = () => {
      try {
        resolve(answer(xhr.status, xhr.statusText, xhr.responseText, xhr.getResponseHeader('Retry-After'), true));
      } catch (e) {
        reject(e);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload failed'));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = aborted;
    if (signal) signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export const get = (path, params, signal) => request('GET', path, { params, signal });
export const post = (path, body, signal) => request('POST', path, { body, signal });
export const patch = (path, body, signal) => request('PATCH', path, { body, signal });
export const put = (path, body, signal) => request('PUT', path, { body, signal });
export const del = (path, signal) => request('DELETE', path, { signal });

// fieldErrors: the details of a 422 answer as {field: text in the user's
// language}, each field's problems once (see lib/errors.js).
export { fieldErrors } from './errors.js';
