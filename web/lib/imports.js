// imports: what the import wizard (pages/import.js, pages/import-check.js)
// says about a member list's import job (GET /api/v1/imports/{id}, see
// src/api/imports.c): the member fields a column may go to and their
// names, a file's size, a job's status, why a job or an upload failed and
// why a row is bad, in her language; and useJob, which follows a job
// while the server works on it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, has, variants, formatNumber } from './i18n.js';
import { get } from './api.js';
import { errorMessage, detailMessage } from './errors.js';

// The server's limit on an upload by default (serve --upload-max-mb): a
// bigger file is refused before a byte of it is sent.
export const MAX_UPLOAD_MB = 256;
export const MAX_UPLOAD = MAX_UPLOAD_MB * 1024 * 1024;

// How often a job the server works on is asked about.
export const POLL_MS = 500;

// The statuses in which the server works on a job (no check, no commit then).
export const RUNNING = ['checking', 'committing'];

// The member fields a column may go to (core/member_columns), in the add
// form's order; "seq" is the row's number (STT), "" leaves a column out.
export const FIELDS = [
  'full_name', 'birth_date', 'sex', 'kind', 'unit', 'joined_on', 'ethnicity', 'id_number', 'phone',
  'religion', 'education', 'qualification', 'political_theory', 'occupation', 'hamlet', 'street',
  'circumstances', 'notes', 'digital', 'party_member',
];

// fieldName: a column's field as the member form names it.
export function fieldName(field) {
  if (!field) return t('import.field_none');
  if (field === 'seq') return t('import.field_seq');
  return has(`member.${field}`) ? t(`member.${field}`) : field;
}

// legacyName: the legacy Vietnamese font a column was typed in.
export function legacyName(legacy) {
  return has(`import.legacy.${legacy}`) ? t(`import.legacy.${legacy}`) : legacy;
}

// sizeText: a file's size the way she reads it (762 byte, 1,5 MB).
export function sizeText(bytes) {
  const one = (n) => formatNumber(Math.round(n * 10) / 10);
  if (bytes < 1024) return t('import.size_bytes', { n: formatNumber(bytes) });
  if (bytes < 1024 * 1024) return t('import.size_kb', { n: one(bytes / 1024) });
  if (bytes < 1024 * 1024 * 1024) return t('import.size_mb', { n: one(bytes / (1024 * 1024)) });
  return t('import.size_gb', { n: one(bytes / (1024 * 1024 * 1024)) });
}

// checkedText: a check's report in a sentence.
export function checkedText(r) {
  return t('import.checked_summary', { rows: formatNumber(r.rows), valid: formatNumber(r.valid), invalid: formatNumber(r.invalid) });
}

// statusName: a job's status in words; a commit that stored nothing (all
// or nothing, with bad rows) is not "done": its good rows may still go.
export function statusName(status, report) {
  if (status === 'done' && report && !report.stored) return t('import.status.not_stored');
  return has(`import.status.${status}`) ? t(`import.status.${status}`) : status;
}

// jobErrorText: why the server could not read the file (a job `failed`:
// its error is {code, message}, without the line and column the message
// names, so the words are the wizard's own, import.failed.<code>); a code
// it does not know yet said by its kind (csv_..., xlsx_...) or as any API
// error is.
export function jobErrorText(error) {
  const code = error && typeof error.code === 'string' ? error.code : '';
  if (has(`import.failed.${code}`)) return t(`import.failed.${code}`);
  const kind = code.split('_')[0];
  if ((kind === 'csv' || kind === 'xlsx') && has(`import.failed.${kind}`)) return t(`import.failed.${kind}`, { code });
  const { message, ...params } = error || {};
  return errorMessage({ code: code || 'internal', params });
}

// jobFailure: why a failed job failed, {code, message} (the API's
// `failure`; `error` in its first version).
export function jobFailure(job) {
  return (job && (job.failure || job.error)) || null;
}

// uploadErrorText: why an upload (or a check, a commit) was refused: the
// size limit in MiB, the unit she named or the template she chose not
// found (404 not_found, `ref` the one not found); else as any API error.
export function uploadErrorText(e, { unit, template } = {}) {
  if (!e) return '';
  const params = e.params || {};
  if (e.code === 'too_large') return t('import.too_large', { max: formatNumber(params.max || MAX_UPLOAD_MB) });
  if (e.code === 'not_found' && template && params.ref === template) return t('import.template_not_found', { name: template });
  if (e.code === 'not_found' && unit) return t('import.unit_not_found', { code: unit });
  if (e.code === 'network' && e.status === 0) return t('import.network');
  return errorMessage(e);
}

// The checks whose words say the value itself better than the form's do
// (a form shows the value beside its words; a report does not).
const ROW_OVERRIDES = { not_a_date: 'import.detail.not_a_date' };

// rowReason: why a row of the file is refused, in her language: the
// detail's words (detail.<code>) with its parameters; a refusal of the
// store kept as a detail (not_a_member...) by the error's words.
export function rowReason(item) {
  const d = { ...(item.params || {}), code: item.code };
  if (d.code === 'not_a_date' && !d.value && item.value) d.value = item.value;
  if (!variants(`detail.${item.code}`).length && variants(`error.${item.code}`).length) {
    const { message, ...params } = item.params || {};
    return errorMessage({ code: item.code, params });
  }
  return detailMessage(d, ROW_OVERRIDES);
}

// columnText: the column of the file a problem stands at, with its header.
export function columnText(item) {
  if (!item.column) return t('import.whole_row');
  return item.header ? t('import.column_header', { n: formatNumber(item.column), header: item.header })
    : t('import.column_n', { n: formatNumber(item.column) });
}

// isTemplateMissing: a refused upload's 404 is about the template she chose.
export function isTemplateMissing(e, template) {
  return !!(e && e.code === 'not_found' && template && e.params && e.params.ref === template);
}

// useJob(id): the job, asked again every POLL_MS while the server works on
// it. Returns {job, error, loading, setJob}; setJob(job) puts in what a
// check or a commit answered (202: running), which starts the asking again.
export function useJob(id) {
  const [state, setState] = useState({ job: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const timer = useRef(0);
  useEffect(() => {
    if (!id) { setState({ job: null, error: null, loading: false }); return undefined; }
    const ctl = new AbortController();
    const ask = () => {
      get(`/imports/${encodeURIComponent(id)}`, undefined, ctl.signal).then(
        (job) => {
          if (ctl.signal.aborted) return;
          setState({ job, error: null, loading: false });
          if (RUNNING.includes(job.status)) timer.current = setTimeout(ask, POLL_MS);
        },
        (error) => {
          if (ctl.signal.aborted || error.name === 'AbortError') return;
          // a network hiccup while it runs: ask again a little later
          if (error.code === 'network') { timer.current = setTimeout(ask, POLL_MS * 4); }
          setState((s) => ({ job: s.job, error, loading: false }));
        },
      );
    };
    ask();
    return () => { ctl.abort(); clearTimeout(timer.current); };
  }, [id, tick]);
  const setJob = (job) => {
    setState({ job, error: null, loading: false });
    if (RUNNING.includes(job.status)) setTick((n) => n + 1);
  };
  return { ...state, setJob, reload: () => setTick((n) => n + 1) };
}
