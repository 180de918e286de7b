// WebSocket load generator, run as its own process so that it, like wrk, is not the orchestrator:
//   node ws-load.mjs '{"url":"ws://127.0.0.1:8080/","host":"ws.bench.test","connections":64,
//                      "warmupSeconds":2,"seconds":10,"bytes":64}'
// Each connection sends a message, waits for its echo, sends the next (a closed loop, like wrk's connections).
// Prints one JSON line: echoed messages per second over the measured window and the round-trip p50/p99.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { spawnTracked } from './procs.mjs';

const BUCKET_US = 10;
const BUCKETS = 500_000; // 10 µs buckets up to 5 s; slower round trips land in the last bucket

/** @param {Uint32Array} histogram @param {number} total @param {number} p */
function percentileMs(histogram, total, p) {
  if (total === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank) return ((i + 1) * BUCKET_US) / 1000;
  }
  return (BUCKETS * BUCKET_US) / 1000;
}

async function main(options) {
  const { url, host, connections, warmupSeconds, seconds, bytes } = options;
  const payload = Buffer.alloc(bytes, 'm');
  const histogram = new Uint32Array(BUCKETS);
  let measuring = false;
  let stopped = false;
  let counted = 0;
  let errors = 0;
  const sockets = [];
  for (let i = 0; i < connections; i++) {
    const socket = new WebSocket(url, { headers: { Host: host }, perMessageDeflate: false });
    let sentAt = 0n;
    const send = () => {
      sentAt = process.hrtime.bigint();
      socket.send(payload);
    };
    socket.on('open', send);
    socket.on('message', () => {
      if (measuring) {
        const us = Number(process.hrtime.bigint() - sentAt) / 1000;
        histogram[Math.min(BUCKETS - 1, Math.floor(us / BUCKET_US))]++;
        counted++;
      }
      if (!stopped) send();
    });
    socket.on('error', () => { errors++; });
    socket.on('close', () => { if (!stopped) errors++; });
    sockets.push(socket);
  }
  await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
  measuring = true;
  const start = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  stopped = true;
  const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  for (const socket of sockets) socket.terminate();
  return {
    rps: counted / elapsed,
    requests: counted,
    p50: percentileMs(histogram, counted, 50),
    p99: percentileMs(histogram, counted, 99),
    socketErrors: errors,
    socketDetail: `${open}/${connections} connections open at the end`,
    non2xx: 0,
    transfer: '',
  };
}

/**
 * Runs the load generator in a child process and returns its result (the same shape as wrk's).
 * @param {{ url: string, host: string, connections: number, warmupSeconds: number, seconds: number, bytes: number }} options
 * @returns {Promise<import('./wrk.mjs').WrkResult>}
 */
export async function runWsLoad(options) {
  const entry = spawnTracked('ws load', process.execPath, [fileURLToPath(import.meta.url), JSON.stringify(options)]);
  await once(entry.child, 'close');
  if (entry.exitCode !== 0) throw new Error(`ws load failed (${entry.exitCode ?? entry.signal}): ${entry.stderr}`);
  return JSON.parse(entry.stdout.trim().split('\n').pop() ?? '{}');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(JSON.parse(process.argv[2] ?? '{}')).then(
    (result) => { console.log(JSON.stringify(result)); process.exit(0); },
    (err) => { console.error(err); process.exit(1); },
  );
}
