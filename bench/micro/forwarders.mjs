#!/usr/bin/env node
// Forwarding engines side by side (not a test): wrk against a local nginx backend answering 19 bytes, directly,
// through Berth's loadBalancer service with each engine, and through Caddy's reverse_proxy for reference.
// Usage: npm run build && node bench/micro/forwarders.mjs [--duration 10] [--connections 64] [--rounds 2]
// Needs nginx, caddy and wrk (Debian packages). Loopback only. On a shared 2-core machine compare the ratios
// of one run, never absolute numbers across runs.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const duration = Number(args.duration ?? 10);
const connections = Number(args.connections ?? 64);
const rounds = Number(args.rounds ?? 2);
const here = new URL('.', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'berth-bench-'));
const children = [];

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(command, argv, options = {}) {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  children.push(child);
  return child;
}

async function waitListening(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const socket = createServer().listen(port, '127.0.0.1');
      socket.once('listening', () => socket.close(() => resolve(false)));
      socket.once('error', () => resolve(true));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function startNginx() {
  const port = await freePort();
  const conf = join(work, 'nginx.conf');
  writeFileSync(conf, `daemon off; worker_processes 1; pid ${join(work, 'nginx.pid')}; error_log stderr error;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:${port}; location / { return 200 "hello from nginx!\\n"; } } }`);
  start('nginx', ['-c', conf, '-p', work]);
  await waitListening(port);
  return port;
}

async function startCaddy(backendPort) {
  const port = await freePort();
  const file = join(work, 'Caddyfile');
  writeFileSync(file, `{\n  admin off\n  auto_https off\n}\nhttp://127.0.0.1:${port} {\n  reverse_proxy 127.0.0.1:${backendPort}\n}\n`);
  start('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { env: { ...process.env, HOME: work, XDG_DATA_HOME: work, XDG_CONFIG_HOME: work } });
  await waitListening(port);
  return port;
}

async function startNode(script, argv) {
  const child = start(process.execPath, [join(here, script), ...argv]);
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (data) => resolve(Number(String(data).trim())));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function wrk(port) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p99 = /99%\s+([\d.]+\w+)/.exec(out)?.[1] ?? '?';
  const p50 = /50%\s+([\d.]+\w+)/.exec(out)?.[1] ?? '?';
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out)?.[0] ?? '';
  return { rps, p50, p99, errors };
}

try {
  const backend = await startNginx();
  const targets = {
    'backend direct (nginx)': backend,
    'bare undici Pool.stream (reference)': await startNode('forwarders-baseline.mjs', ['undici', `http://127.0.0.1:${backend}`]),
    'bare http-proxy-3 + keep-alive Agent (reference)': await startNode('forwarders-baseline.mjs', ['http-proxy', `http://127.0.0.1:${backend}`]),
    'berth http1 (native llhttp, own pool)': await startNode('forwarders-proxy.mjs', ['http1', `http://127.0.0.1:${backend}`]),
    'berth undici (Client.dispatch)': await startNode('forwarders-proxy.mjs', ['undici', `http://127.0.0.1:${backend}`]),
    'berth http-proxy-3 (keep-alive Agent)': await startNode('forwarders-proxy.mjs', ['http-proxy', `http://127.0.0.1:${backend}`]),
    'caddy reverse_proxy': await startCaddy(backend),
  };
  // Warm up every path (JIT, connection pools) before measuring.
  for (const port of Object.values(targets)) execFileSync('wrk', ['-t1', '-c16', '-d2s', `http://127.0.0.1:${port}/`]);
  const results = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, port] of Object.entries(targets)) results[name].push(wrk(port));
  }
  console.log(`wrk -t1 -c${connections} -d${duration}s, ${rounds} rounds, best round shown`);
  console.log('| path | req/s | p50 | p99 | notes |');
  console.log('|---|---|---|---|---|');
  const best = Object.fromEntries(Object.entries(results).map(([name, runs]) => [name, runs.reduce((a, b) => (b.rps > a.rps ? b : a))]));
  for (const [name, r] of Object.entries(best)) console.log(`| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} |`);
  const caddy = best['caddy reverse_proxy'].rps;
  for (const name of ['berth http1 (native llhttp, own pool)', 'berth undici (Client.dispatch)', 'berth http-proxy-3 (keep-alive Agent)']) {
    console.log(`${name}: ${(best[name].rps / caddy).toFixed(2)}x caddy`);
  }
  console.log(JSON.stringify({ duration, connections, rounds, results }));
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
