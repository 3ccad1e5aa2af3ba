// api: the HTTP client for /api/v1. Every request goes through request(), which
// turns the API's error body {"error":{"code","message","details"}} into an
// ApiError whose message is the server's message, so pages can show it as is.
import { API_BASE } from './config.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;   // HTTP status, 0 for a network failure
    this.code = code;       // the API's error code, or 'network' / 'bad_response'
    this.details = details || [];
  }
}

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

export async function request(method, path, { params, body, signal } = {}) {
  let res;
  try {
    res = await fetch(API_BASE + path + query(params), {
      method,
      signal,
      headers: body === undefined ? { Accept: 'application/json' }
        : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', String(e && e.message || e));
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const err = data && data.error;
    if (err && typeof err.message === 'string') {
      throw new ApiError(res.status, err.code || 'error', err.message, err.details);
    }
    throw new ApiError(res.status, 'bad_response', `HTTP ${res.status} ${res.statusText}`);
  }
  if (data === null) throw new ApiError(res.status, 'bad_response', `HTTP ${res.status}: not JSON`);
  return data;
}

export const get = (path, params, signal) => request('GET', path, { params, signal });
export const post = (path, body, signal) => request('POST', path, { body, signal });
