// connections.test.js - what an attack on the running server found about
// its connections (issue 13, findings 1, 8 and 10): slow clients are held
// to a limit per client address and to deadlines that activity does not
// move; a query string of many parameters gets 413, not silence; every
// answer of ours carries the security headers; the access log is plain
// ASCII; the nginx example overwrites the X-Forwarded-* headers a client
// may send.
//
// Two servers: `limits` holds 4 connections per address and 16 in all;
// `deadlines` gives a request 1 s for its headers and 1 s for its body.
// The second client of the limits test comes from 127.0.0.2 (on loopback
// every 127.x.y.z is a local address).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startServer, assertError, REPO } from './server.js';

let limits, deadlines;

before(async () => {
  // allSettled: when one fails to start, the other is still kept for after()
  // to stop (a server left running keeps this file from ending)
  const [a, b] = await Promise.allSettled([
    startServer({ args: ['--max-connections', '16', '--max-connections-per-ip', '4'] }),
    startServer({ args: ['--header-timeout', '1', '--body-timeout', '1'] }),
  ]);
  limits = a.value;
  deadlines = b.value;
  for (const r of [a, b]) if (r.status === 'rejected') throw r.reason;
});

after(async () => {
  await Promise.all([limits?.stop(), deadlines?.stop()]);
});

// A raw connection to server s: {socket, data (what arrived so far),
// closed (a promise of the milliseconds from open to close)}.
function connect(s, localAddress = '127.0.0.1') {
  const socket = net.connect({ host: '127.0.0.1', port: s.port, localAddress });
  const c = { socket, data: '', opened: Date.now(), isClosed: false };
  socket.on('data', (d) => { c.data += d.toString('latin1'); });
  socket.on('error', () => {});
  c.connected = new Promise((resolve) => socket.once('connect', resolve));
  c.closed = new Promise((resolve) => socket.once('close', () => { c.isClosed = true; resolve(Date.now() - c.opened); }));
  return c;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Sends one complete request on raw connection c and waits for one whole
// answer (Content-Length framed); returns {status, headers, body}.
async function roundTrip(c, request) {
  const from = c.data.length;
  c.socket.write(request);
  for (let i = 0; i < 100; i++) {
    const text = c.data.slice(from);
    const end = text.indexOf('\r\n\r\n');
    if (end >= 0) {
      const head = text.slice(0, end);
      const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (text.length >= end + 4 + len) {
        return { status: Number(head.split(' ')[1]), head, body: text.slice(end + 4, end + 4 + len) };
      }
    }
    await sleep(50);
  }
  throw new Error(`no whole answer within 5 s; got ${JSON.stringify(c.data.slice(from, from + 300))}`);
}

const SECURITY = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};
function assertSecurityHeaders(headers, what) {
  for (const [name, value] of Object.entries(SECURITY)) {
    assert.equal(headers.get(name), value, `${what}: header ${name}`);
  }
}

test('more slow connections than one address may hold leave the server to everyone else', async () => {
  // 20 connections that send a request line and never finish their headers:
  // more than the 16 the server holds in all, so without the limit per
  // address nobody else would get in
  const slow = [];
  for (let i = 0; i < 20; i++) {
    const c = connect(limits);
    slow.push(c);
    await c.connected;
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  }
  try {
    for (let i = 0; i < 60 && slow.filter((c) => c.isClosed).length < 16; i++) await sleep(50);
    const open = slow.filter((c) => !c.isClosed).length;
    assert.ok(open <= 4, `the server holds ${open} connections from one address (at most 4)`);
    assert.ok(slow.every((c) => c.data === ''), 'a refused connection got no answer');
    // another client is served at once
    const t0 = Date.now();
    const r = await limits.request('GET', '/healthz', { auth: false, from: '127.0.0.2' });
    assert.equal(r.status, 200, r.text);
    assert.ok(Date.now() - t0 < 1000, `/healthz took ${Date.now() - t0} ms`);
    // and the slow ones that were let in are still waiting, not answered
    assert.ok(slow.filter((c) => !c.isClosed).every((c) => c.data === ''));
  } finally {
    for (const c of slow) c.socket.destroy();
    await sleep(300); // the server sees them go before the next test connects from 127.0.0.1
  }
});

test('a connection that trickles its headers is closed at the header deadline', async () => {
  const c = connect(deadlines);
  await c.connected;
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  // one header line every 200 ms: an idle timeout alone never fires
  const trickle = setInterval(() => { if (!c.isClosed) c.socket.write(`X-Slow-${Date.now()}: 1\r\n`); }, 200);
  try {
    const ms = await Promise.race([c.closed, sleep(6000).then(() => null)]);
    assert.ok(ms !== null, 'the connection was still open after 6 s');
    assert.ok(ms >= 900 && ms < 4000, `closed after ${ms} ms (deadline 1 s)`);
    assert.equal(c.data, '', 'no answer is sent to a request that never finished');
  } finally {
    clearInterval(trickle);
    c.socket.destroy();
  }
});

test('a body that trickles in is closed at the body deadline', async () => {
  const c = connect(deadlines);
  await c.connected;
  c.socket.write('POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{');
  const trickle = setInterval(() => { if (!c.isClosed) c.socket.write(' '); }, 200);
  try {
    const ms = await Promise.race([c.closed, sleep(6000).then(() => null)]);
    assert.ok(ms !== null, 'the connection was still open after 6 s');
    assert.ok(ms >= 900 && ms < 4000, `closed after ${ms} ms (deadline 1 s)`);
    assert.equal(c.data, '');
  } finally {
    clearInterval(trickle);
    c.socket.destroy();
  }
});

test('the header deadline starts again after each answer on a kept-alive connection', async () => {
  const c = connect(deadlines);
  await c.connected;
  try {
    for (let i = 0; i < 3; i++) {
      const r = await roundTrip(c, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.equal(r.status, 200, r.head);
      await sleep(600); // 1.8 s in all on this connection, 0.6 s idle each time
    }
    assert.equal(c.isClosed, false, 'closed while in use');
    const ms = await Promise.race([c.closed, sleep(5000).then(() => null)]);
    assert.ok(ms !== null, 'an idle kept-alive connection stayed open past the header deadline');
  } finally {
    c.socket.destroy();
  }
});

test('a body announced over 64 KiB is refused at once, before it is sent', async () => {
  const c = connect(deadlines);
  await c.connected;
  try {
    const r = await roundTrip(c, 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n');
    assert.equal(r.status, 413, r.head);
    assert.equal(JSON.parse(r.body).error.code, 'too_large');
  } finally {
    c.socket.destroy();
  }
});

test('a query string of 1,000 parameters gets 413 with the JSON error, as any oversize query does', async () => {
  const many = Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&'); // about 7 KB
  const ands = Array.from({ length: 1500 }, () => 'a').join('&');            // 1,500 keys in 3 KB
  const few = Array.from({ length: 150 }, (_, i) => `p${i}=1`).join('&');   // 150 parameters, under 4 KiB
  const long = 'search=' + 'x'.repeat(5000);
  for (const [what, q] of [['1,000 parameters', many], ['1,500 keys without values', ands], ['150 parameters', few], ['5,000 bytes', long]]) {
    for (const s of [limits, deadlines]) {
      const r = await s.request('GET', '/api/v1/units', { query: q });
      const e = assertError(r, 413, 'too_large', what);
      assert.match(e.message, /query string/, what);
      assertSecurityHeaders(r.headers, what);
    }
  }
  // the server goes on serving, and 100 parameters are still read
  const ok = Array.from({ length: 99 }, (_, i) => `p${i}=1`).join('&') + '&level=province';
  const r = await limits.request('GET', '/api/v1/units', { query: ok });
  assert.equal(r.status, 200, r.text);
});

test('the 405 page carries the security headers', async () => {
  for (const [method, p] of [['DELETE', '/healthz'], ['POST', '/index.html'], ['PUT', '/api/v1/units']]) {
    const r = await limits.request(method, p, { validate: false });
    assertError(r, 405, 'method_not_allowed', `${method} ${p}`);
    assert.ok(r.headers.get('allow'), `${method} ${p}: no Allow header`);
    assertSecurityHeaders(r.headers, `${method} ${p}`);
  }
});

test('the access log escapes non-ASCII bytes, controls, spaces and %', async () => {
  // é (two bytes of UTF-8), a byte that is no UTF-8 at all, a newline, a
  // space, a tab, DEL, and % itself, all URL-encoded in the path
  const p = '/api/v1/units/zq%C3%A9%FF%0A%20%09%7F%25x';
  const r = await limits.request('GET', p, { auth: false, validate: false });
  assert.ok(r.status >= 400 && r.status < 500, r.text);
  let line;
  for (let i = 0; i < 40 && !line; i++) {
    line = limits.log.split('\n').find((l) => l.includes('/api/v1/units/zq'));
    if (!line) await sleep(50);
  }
  assert.ok(line, `no access log line for ${p}:\n${limits.log.slice(-2000)}`);
  assert.match(line, / GET \/api\/v1\/units\/zq%C3%A9%FF%0A%20%09%7F%25x 4\d\d /);
  assert.ok(/^[\x21-\x7e ]+$/.test(line), `the line holds other bytes than printable ASCII: ${JSON.stringify(line)}`);
  // an oversize query is logged too, without its query string
  await limits.request('GET', '/api/v1/units/zr%C3%A9', { query: 'x=' + 'y'.repeat(5000), validate: false });
  let refused;
  for (let i = 0; i < 40 && !refused; i++) {
    refused = limits.log.split('\n').find((l) => l.includes('/api/v1/units/zr'));
    if (!refused) await sleep(50);
  }
  assert.ok(refused, 'no access log line for the refused query');
  assert.match(refused, / \/api\/v1\/units\/zr%C3%A9 413 /);
  assert.ok(!refused.includes('yyyy'), 'the query string is never logged');
});

test('the nginx example overwrites the X-Forwarded headers a client could send', () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'operations.md'), 'utf8');
  const blocks = [...doc.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length > 0, 'docs/operations.md has no nginx example');
  for (const b of blocks) {
    if (!/proxy_pass/.test(b)) continue;
    // proxy_set_header replaces whatever the client sent under that name;
    // X-Forwarded-For is appended to, and unionbase reads its last address
    assert.match(b, /proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;/);
    assert.match(b, /proxy_set_header\s+X-Forwarded-Host\s+\$host;/);
    assert.match(b, /proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for;/);
    // an idle upstream connection is closed by nginx before unionbase does
    const keep = /keepalive_timeout\s+(\d+)s;/.exec(b);
    assert.ok(keep && Number(keep[1]) < 10, 'nginx keepalive_timeout below unionbase\'s header deadline (10 s)');
  }
});
