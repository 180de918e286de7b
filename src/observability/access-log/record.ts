import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Everything one access log line is made of, gathered when the response is finished. */
export interface AccessRecord {
  /** Wall-clock start, in milliseconds since the epoch. */
  readonly startMs: number;
  readonly durationNs: number;
  readonly routerName: string;
  readonly serviceName: string;
  readonly serviceUrl: string;
  readonly clientIp: string;
  readonly clientPort: number;
  /** Whether the client's X-Forwarded-* headers are trusted (forwardedHeaders.trustedIPs). */
  readonly trustedForwarded: boolean;
  /** The user of a Basic Authorization header, '' without one. */
  readonly clientUsername: string;
  /** The Host header as sent (with its port). */
  readonly requestAddr: string;
  readonly method: string;
  /** The request target as the client sent it, before any middleware rewrote it. */
  readonly path: string;
  /** `HTTP/1.1`, `HTTP/2.0`. */
  readonly protocol: string;
  readonly scheme: 'http' | 'https';
  readonly requestContentSize: number;
  readonly status: number;
  readonly downstreamContentSize: number;
  readonly retryAttempts: number;
  readonly requestCount: number;
  readonly tlsVersion: string;
  readonly tlsCipher: string;
  readonly requestHeaders: IncomingHttpHeaders;
  readonly responseHeaders: OutgoingHttpHeaders;
}

/** Go's RFC 3339 with fractional seconds, in UTC (`Z`) or with the local offset, as Traefik's StartUTC/StartLocal. */
export function rfc3339(ms: number, utc: boolean): string {
  const date = new Date(ms);
  if (utc) return date.toISOString();
  const offset = -date.getTimezoneOffset();
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, -1);
  if (offset === 0) return `${local}Z`;
  const sign = offset > 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The Common Log Format time, `02/Jan/2006:15:04:05 +0000`, in UTC as Traefik writes it. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] as string}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Go's http.CanonicalHeaderKey: `user-agent` -> `User-Agent`, the form Traefik's `request_<Header>` fields use. */
export function canonicalHeaderName(name: string): string {
  let out = '';
  let upper = true;
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/** `host:port` split as Go's net.SplitHostPort would, with Traefik's "-" for a missing port. */
export function splitHostPort(addr: string): { host: string; port: string } {
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    const port = end !== -1 && addr[end + 1] === ':' ? addr.slice(end + 2) : '';
    return { host: addr.slice(1, end === -1 ? undefined : end), port: port === '' ? '-' : port };
  }
  const colon = addr.lastIndexOf(':');
  if (colon === -1 || addr.indexOf(':') !== colon) return { host: addr, port: '-' };
  return { host: addr.slice(0, colon), port: addr.slice(colon + 1) || '-' };
}

/** The user of a `Basic` Authorization header ('' when there is none or it is not Basic). */
export function basicUser(authorization: string | undefined): string {
  if (authorization === undefined || !/^basic /i.test(authorization)) return '';
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? '' : decoded.slice(0, colon);
}
