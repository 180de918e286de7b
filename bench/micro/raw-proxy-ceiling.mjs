#!/usr/bin/env node
// What one Node process could proxy without node:http (not a test, not Berth): the ceiling behind RESULTS.md's
// "next: an HTTP/1.1 fast path". A deliberately minimal proxy on raw sockets — GET requests without bodies,
// upstream responses with Content-Length, one pooled upstream connection per client connection, no header
// rewriting — measured with wrk beside a bare node:http server and Berth in one process (`workers: 0`), all
// against the same nginx backend. It answers one question: how much of the per-request cost is node:http's.
//   npm run build && node bench/micro/raw-proxy-ceiling.mjs [--duration 8] [--rounds 2]
// Needs nginx and wrk. Loopback only; compare the ratios of one run.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// Children (`--child raw|bare`) serve only; the parent parses the options.
const child = process.argv[2] === '--child' ? process.argv[3] : undefined;
const { values } = child === undefined
  ? parseArgs({ options: { duration: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } } })
  : { values: {} };
const work = mkdtempSync(join(tmpdir(), 'berth-ceiling-'));
const children = [];
const BACKEND = 19301;
const PORTS = { raw: 19302, bare: 19303, berth: 19304 };

/** The raw proxy: each client connection gets its own upstream connection; requests are relayed one at a time. */
function startRawProxy(port) {
  const server = createServer((client) => {
    const upstream = connect(BACKEND, '127.0.0.1');
    upstream.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let response = Buffer.alloc(0);
    client.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const end = pending.indexOf('\r\n\r\n');
      if (end === -1) return;
      // Relay the head as it came, plus the header a proxy must add; a real proxy rewrites far more.
      const head = pending.subarray(0, end).toString('latin1');
      pending = pending.subarray(end + 4);
      upstream.write(`${head}\r\nX-Forwarded-For: ${client.remoteAddress}\r\n\r\n`);
    });
    upstream.on('data', (chunk) => {
      response = response.length === 0 ? chunk : Buffer.concat([response, chunk]);
      const end = response.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(response.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      if (response.length < end + 4 + length) return;
      client.write(response.subarray(0, end + 4 + length));
      response = response.subarray(end + 4 + length);
    });
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function startBareServer(port) {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 19 });
    res.end('hello from backend\n');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function wrk(port) {
  const out = execFileSync('wrk', ['-t1', '-c64', `-d${values.duration}s`, '--latency', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), p99: /99%\s+(\S+)/.exec(out)?.[1] ?? '?' };
}

async function main() {
  writeFileSync(join(work, 'nginx.conf'), `worker_processes 1; pid ${work}/nginx.pid; error_log ${work}/error.log; daemon off;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000; server { listen 127.0.0.1:${BACKEND}; location / { return 200 "hello from backend\\n"; } } }
`);
  children.push(spawn('nginx', ['-c', join(work, 'nginx.conf'), '-p', work], { stdio: 'ignore' }));
  writeFileSync(join(work, 'dynamic.yml'), `http:\n  routers:\n    app: { rule: "PathPrefix(\`/\`)", service: app }\n  services:\n    app: { loadBalancer: { servers: [{ url: "http://127.0.0.1:${BACKEND}" }] } }\n`);
  writeFileSync(join(work, 'berth.yml'), `entryPoints:\n  web:\n    address: "127.0.0.1:${PORTS.berth}"\nproviders:\n  file:\n    filename: ${join(work, 'dynamic.yml')}\nlog:\n  level: ERROR\nworkers: 0\n`);
  children.push(spawn(process.execPath, [new URL('../../dist/src/main.js', import.meta.url).pathname, `--configFile=${join(work, 'berth.yml')}`], { stdio: 'ignore' }));
  // The raw proxy and the bare server run in their own processes too, so each target has one core's worth.
  children.push(spawn(process.execPath, [new URL(import.meta.url).pathname, '--child', 'raw'], { stdio: 'ignore' }));
  children.push(spawn(process.execPath, [new URL(import.meta.url).pathname, '--child', 'bare'], { stdio: 'ignore' }));
  await new Promise((resolve) => setTimeout(resolve, 2500));

  const rows = { 'node:http server alone (no proxying)': PORTS.bare, 'raw-socket proxy (the ceiling)': PORTS.raw, 'Berth, one process': PORTS.berth, 'nginx backend direct': BACKEND };
  const best = {};
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, port] of Object.entries(rows)) {
      wrk(port); // warm-up run, not counted
      const result = wrk(port);
      if ((best[name]?.rps ?? 0) < result.rps) best[name] = result;
    }
  }
  console.log(`wrk -t1 -c64 -d${values.duration}s, best of ${values.rounds} rounds`);
  console.log('| path | req/s | p99 |\n|---|--:|--:|');
  for (const [name, result] of Object.entries(best)) console.log(`| ${name} | ${Math.round(result.rps).toLocaleString('en-US')} | ${result.p99} |`);
}

if (child !== undefined) {
  (child === 'raw' ? startRawProxy(PORTS.raw) : startBareServer(PORTS.bare)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  }).finally(() => {
    for (const spawned of children) spawned.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });
}
