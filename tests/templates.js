// templates: databases made once by `unionbase init` and copied for every
// later test server of the same kind, shared by the API and browser
// harnesses (tests/api/server.js, tests/browser/server.js).
//
// UNIONBASE_TEST_TEMPLATES names a folder (scripts/test.sh makes one for
// each step that sets it). Unset, template() answers null and every server
// runs init itself.
//
// A kind is the program (its path, size and time), the store and whatever
// the caller says shapes init (demo, members, today). The first test file to
// ask for a kind makes its template while it holds <key>.lock (a folder:
// mkdir is atomic); the others wait for <key>.json, which holds the
// template's URL and what init answered. Copies share all of it: the admin's
// password and token, and every secret init makes, so a test whose subject
// is init runs it itself.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const TEMPLATES = process.env.UNIONBASE_TEST_TEMPLATES || null;
const WAIT_MS = 5 * 60 * 1000;

async function psql(base, sql) {
  try {
    await execFileP('psql', [base, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql]);
  } catch (e) {
    throw new Error(`psql ${base} -c "${sql}" failed (exit ${e.code}): ${e.stderr || ''}`);
  }
}

// The URL of database name on the PostgreSQL server at base.
function pgUrl(base, name) {
  const u = new URL(base);
  u.pathname = '/' + name;
  return u.toString();
}

// CREATE DATABASE name (a copy of template when given) on the PostgreSQL
// server at base: its URL.
export async function pgCreate(base, name, template = null) {
  await psql(base, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  return pgUrl(base, name);
}

// Makes the template of this kind by init(url), which runs init on the
// empty database url (a SQLite file or a PostgreSQL database of pg) and
// answers what the copies need to know (JSON).
async function make(key, pg, init) {
  const name = `ubt_${key}`;
  const file = path.join(TEMPLATES, `${key}.db`);
  // what a failed or killed try left is made again
  if (pg) await psql(pg, `DROP DATABASE IF EXISTS ${name}`);
  else fs.rmSync(file, { force: true });
  const url = pg ? await pgCreate(pg, name) : file;
  return { url, name: pg ? name : null, answer: await init(url) };
}

// The template of a kind: {url, name, answer}, name being the PostgreSQL
// database's (null for SQLite), answer init's; made now when no file has made
// it yet. null without UNIONBASE_TEST_TEMPLATES, or when the file that made
// it failed (the caller runs init itself, and fails the same way).
// bin: the program; pg: the PostgreSQL server's base URL, or null for
// SQLite; kind: what else shapes init (JSON).
export async function template({ bin, pg = null, kind, init }) {
  if (!TEMPLATES) return null;
  const st = fs.statSync(bin);
  const key = crypto.createHash('sha256')
    .update(JSON.stringify([TEMPLATES, bin, st.mtimeMs, st.size, pg, kind]))
    .digest('hex').slice(0, 16);
  const ready = path.join(TEMPLATES, `${key}.json`);
  const lock = path.join(TEMPLATES, `${key}.lock`);
  if (!fs.existsSync(ready)) {
    let mine = true;
    try { fs.mkdirSync(lock); } catch (e) { if (e.code !== 'EEXIST') throw e; mine = false; }
    if (mine) {
      try {
        // made between the look and the lock, or made now
        if (!fs.existsSync(ready)) {
          fs.writeFileSync(`${ready}.tmp`, JSON.stringify(await make(key, pg, init)));
          fs.renameSync(`${ready}.tmp`, ready);
        }
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
    } else {
      // another file makes it: wait while its lock stands
      const until = Date.now() + WAIT_MS;
      while (!fs.existsSync(ready) && fs.existsSync(lock)) {
        if (Date.now() > until) throw new Error(`the template ${lock} was not made within ${WAIT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!fs.existsSync(ready)) return null;
    }
  }
  return JSON.parse(fs.readFileSync(ready, 'utf8'));
}

// A copy of a SQLite template's file in dir: its path.
export function copyFile(tpl, dir) {
  const file = path.join(dir, `unionbase-${crypto.randomBytes(4).toString('hex')}.db`);
  fs.copyFileSync(tpl.url, file);
  return file;
}
