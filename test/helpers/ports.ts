import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Ports handed to components that bind them later (a container started seconds after, Pebble, dockerd) are taken
// from below the kernel's ephemeral range. A port from `listen(0)` lies inside that range, so any outgoing
// connection made in the meantime (Berth dialling Pebble, docker-compose talking to dockerd) may take it as its
// local port, and the component then fails with EADDRINUSE. Outgoing connections never pick a port below the range.

const LOWEST = 10_000;
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that is free now, outside the ephemeral range, and not handed out before by this process. */
export async function freePort(): Promise<number> {
  const highest = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${highest} on 127.0.0.1`);
}

function ephemeralRangeStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(start) && start > LOWEST + 1000) return start;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152.
  }
  return 49_152;
}

async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (bound) await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}
