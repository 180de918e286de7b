import type { Handler } from '../handler.js';

/** The request header that marks a request as having gone through a default-rule router (Traefik's name). */
export const ROUTER_MARKER_HEADER = 'x-traefik-router';

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/**
 * The marker a router puts in X-Traefik-Router: FNV-1 (not 1a) 64-bit of its qualified name, in lower-case hex
 * without leading zeros, exactly as Traefik's `denyrouterrecursion.makeHash`, so that Berth and Traefik in one
 * chain recognise each other's markers.
 */
export function routerMarker(routerName: string): string {
  let hash = FNV64_OFFSET;
  for (const byte of Buffer.from(routerName, 'utf8')) {
    hash = (hash * FNV64_PRIME) & MASK64;
    hash ^= BigInt(byte);
  }
  return hash.toString(16);
}

/**
 * Traefik's DenyRouterRecursion, put in front of a router whose rule is the Docker provider's default rule
 * (`defaultRule: true` on the router): that rule is made from the container's name, so Berth's own container, or a
 * container whose server is Berth, can match it and send requests back to the same router forever. A request that
 * already carries this router's marker is answered 400 with no body, as Traefik does; any other request gets the
 * marker and goes on. The marker is computed once, at compile time.
 */
export function denyRouterRecursion(routerName: string, next: Handler): Handler {
  const marker = routerMarker(routerName);
  return (req, res, ctx) => {
    const seen = req.headers[ROUTER_MARKER_HEADER];
    // Go's Header.Get reads the first value only; Node joins repeated values with ", ".
    if (typeof seen === 'string' && (seen === marker || seen.startsWith(`${marker},`))) {
      res.writeHead(400, { 'content-length': '0' }).end();
      return;
    }
    req.headers[ROUTER_MARKER_HEADER] = marker;
    next(req, res, ctx);
  };
}
