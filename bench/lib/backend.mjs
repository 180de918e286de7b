// The backends every proxy forwards to: one nginx (a fast native server, so the backend is never what limits a
// proxy) serving the 19-byte body and a 1 MB file, and one Node WebSocket echo server. nginx listens on one
// port per proxy, so the TIME_WAIT sockets toward "the backend" can be told apart per proxy.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nginxPaths } from './files.mjs';
import { spawnTracked } from './procs.mjs';
import { pollUntil, portOpen } from './system.mjs';
import { LARGE_BYTES, LARGE_PATH, SMALL_BODY } from './topology.mjs';

const WS_ECHO = fileURLToPath(new URL('./ws-echo.mjs', import.meta.url));

function backendConf(dir, ports) {
  // keepalive_requests/timeout raised: nginx's defaults (1000 requests, 75 s) would close the proxies' pooled
  // connections every 1000 requests and leave TIME_WAITs that are the backend's doing, not the proxy's.
  const listens = ports.map((port) => `    listen 127.0.0.1:${port} backlog=4096;`).join('\n');
  const paths = nginxPaths(dir);
  return `worker_processes 1;
${paths.main}
events { worker_connections 8192; }
http {
  access_log off;
${paths.http}
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  sendfile on;
  tcp_nopush on;
  server {
${listens}
    location = ${LARGE_PATH} {
      default_type application/octet-stream;
      alias ${dir}/www/1mb.bin;
    }
    location / {
      default_type text/plain;
      return 200 "${SMALL_BODY.replace('\n', '\\n')}";
    }
  }
}
`;
}

/**
 * Starts the HTTP backend on `ports` and the WebSocket echo backend on `wsPort`, and waits for both.
 * @param {string} workDir bench/.work
 * @param {number[]} ports
 * @param {number} wsPort
 */
export async function startBackends(workDir, ports, wsPort) {
  const dir = join(workDir, 'backend');
  for (const sub of ['tmp', 'www']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'www', '1mb.bin'), Buffer.alloc(LARGE_BYTES, 'x'));
  writeFileSync(join(dir, 'nginx.conf'), backendConf(dir, ports));
  const http = spawnTracked('backend nginx', 'nginx', ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
  const ws = spawnTracked('backend ws echo', process.execPath, [WS_ECHO, String(wsPort)]);
  for (const [entry, port] of [[http, ports[0]], [ws, wsPort]]) {
    const ready = await pollUntil(() => portOpen(port), {
      timeoutMs: 10_000,
      failFast: () => (entry.exited ? `exited (${entry.exitCode ?? entry.signal})` : undefined),
    });
    if (!ready.ok) throw new Error(`${entry.name} did not start: ${ready.reason}\n${entry.stderr}`);
  }
  await checkBackendAnswers(ports[0], dir);
  return { http, ws };
}

/** Both bodies, straight from the backend: a backend that answers errors would make every proxy look fast. */
async function checkBackendAnswers(port, dir) {
  for (const [path, bytes] of [['/', Buffer.byteLength(SMALL_BODY)], [LARGE_PATH, LARGE_BYTES]]) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || body.length !== bytes) {
      throw new Error(`the backend nginx answered ${path} with ${response.status} and ${body.length} bytes (expected 200 and ${bytes}); see ${dir}/error.log`);
    }
  }
}
