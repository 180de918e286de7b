// The machine side of the benchmark: Debian packages, ports, TIME_WAIT counting, and what goes in the header.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Binary -> Debian package that provides it. */
const PACKAGES = {
  nginx: 'nginx',
  haproxy: 'haproxy',
  caddy: 'caddy',
  wrk: 'wrk',
  openssl: 'openssl',
  ss: 'iproute2',
};

/** Whether a command is on PATH. */
export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure every binary in `needed` exists. As root, missing ones are installed with apt-get; otherwise the
 * apt-get line to run is printed and the process exits, since a benchmark without its peers means nothing.
 * @param {string[]} needed binaries (keys of PACKAGES)
 */
export function ensurePackages(needed) {
  const missing = [...new Set(needed.filter((bin) => !hasCommand(bin)).map((bin) => PACKAGES[bin] ?? bin))];
  if (missing.length === 0) return;
  const line = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`missing: ${missing.join(', ')}. Install them first (as root):\n  ${line}`);
    process.exit(2);
  }
  console.log(`installing ${missing.join(', ')} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = needed.filter((bin) => !hasCommand(bin));
  if (still.length > 0) throw new Error(`apt-get ran but these are still missing: ${still.join(', ')}`);
}

/** A port that was free on 127.0.0.1 a moment ago (the kernel picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true once something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls `check` every `intervalMs` until it returns true; `failFast` returning a string aborts with that reason
 * (a process that exited does not come back).
 * @returns {Promise<{ ok: true } | { ok: false, reason: string }>}
 */
export async function pollUntil(check, { timeoutMs, intervalMs = 100, failFast = () => undefined }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = failFast();
    if (reason !== undefined) return { ok: false, reason };
    if (await check()) return { ok: true };
    await sleep(intervalMs);
  }
  return { ok: false, reason: `not ready within ${Math.round(timeoutMs / 1000)} s` };
}

/**
 * The TCP connections in TIME_WAIT to or from any of these ports, as "local>peer" strings. A proxy's upstream
 * connections that it closes end in TIME_WAIT on its side (destination port = backend); those the backend
 * closes end on the backend's side (source port = backend): both are counted.
 * @param {number[]} ports
 */
export function timeWaitSockets(ports) {
  const filter = ports.map((p) => `dport = :${p} or sport = :${p}`).join(' or ');
  const out = execFileSync('ss', ['-Htan', 'state', 'time-wait', `( ${filter} )`], { encoding: 'utf8' });
  const found = new Set();
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 4) found.add(`${cols[cols.length - 2]}>${cols[cols.length - 1]}`);
  }
  return found;
}

/** How many sockets are in `after` but not in `before`: the TIME_WAITs a run created. */
export function newSince(before, after) {
  let count = 0;
  for (const key of after) if (!before.has(key)) count++;
  return count;
}

function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return text.split('\n')[0] ?? '';
}

/** The versions of the peers that are installed, for the results header. */
export function toolVersions() {
  const pick = (text, re) => re.exec(text)?.[1] ?? (text || 'unknown');
  return {
    nginx: hasCommand('nginx') ? pick(firstLine('nginx', ['-v']), /nginx\/(\S+)/) : 'not installed',
    haproxy: hasCommand('haproxy') ? pick(firstLine('haproxy', ['-v']), /version (\S+)/) : 'not installed',
    caddy: hasCommand('caddy') ? pick(firstLine('caddy', ['version']), /^(\S+)/) : 'not installed',
    wrk: hasCommand('wrk') ? pick(firstLine('wrk', ['--version']), /^wrk (\S+)/) : 'not installed',
  };
}

/** Cores, CPU model, memory, kernel and Node version of this machine. */
export function machineInfo() {
  let cpu = 'unknown';
  try { cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu; } catch { /* not Linux */ }
  let memGiB = 0;
  try { memGiB = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024; } catch { /* not Linux */ }
  return {
    cores: availableParallelism(),
    cpu,
    memGiB: Math.round(memGiB),
    kernel: firstLine('uname', ['-r']),
    node: process.version,
  };
}
