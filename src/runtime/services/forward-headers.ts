import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { RequestContext } from '../request-context.js';
import type { ForwardTarget } from './forward-target.js';

/** Request headers as both engines send them: lower-case names, set-cookie style arrays allowed. */
export type UpstreamHeaders = Record<string, string | string[]>;

/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1, and the list Go's ReverseProxy removes): they describe one
 * connection and are never forwarded, in either direction. `expect` is answered by Node's server itself (100
 * Continue), so it is not forwarded either.
 */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The X- headers Traefik manages (forwardedheaders.XHeadersSet), lower-case. */
const MANAGED = new Set([
  'x-forwarded-proto', 'x-forwarded-scheme', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port',
  'x-forwarded-server', 'x-forwarded-uri', 'x-forwarded-method', 'x-forwarded-prefix',
  'x-forwarded-tls-client-cert', 'x-forwarded-tls-client-cert-info', 'x-scheme', 'x-real-ip',
]);

const LOWER_X = 120;
const COLON = 58;

/** True for a header Traefik manages, including underscore spellings (`x_forwarded_for`) some servers accept. */
export function isManagedForwardedHeader(lowerName: string): boolean {
  if (lowerName.charCodeAt(0) !== LOWER_X) return false;
  if (MANAGED.has(lowerName)) return true;
  return lowerName.includes('_') && MANAGED.has(lowerName.replaceAll('_', '-'));
}

/** How X-Forwarded-* are written; built once from static configuration. */
export interface ForwardedHeadersPolicy {
  /** X-Forwarded-Server: this machine's host name, as Traefik's os.Hostname(). */
  readonly serverHostname: string;
  /** EntryPoints with `forwardedHeaders.notAppendXForwardedFor` (Traefik 3.7). */
  readonly notAppendXForwardedFor: ReadonlySet<string>;
  /** EntryPoints with `forwardedHeaders.addXForwardedSchemeHeaders`: X-Forwarded-Scheme and X-Scheme are sent too. */
  readonly addXForwardedSchemeHeaders?: ReadonlySet<string>;
}

function text(value: string | Buffer | undefined): string {
  return value === undefined ? '' : typeof value === 'string' ? value : value.toString('latin1');
}

/** The policy for a machine: X-Forwarded-Server is os.hostname() ("localhost" if unknown), as in Traefik. */
export function createForwardedHeadersPolicy(notAppendXForwardedFor: Iterable<string> = [], addXForwardedSchemeHeaders: Iterable<string> = []): ForwardedHeadersPolicy {
  let serverHostname = 'localhost';
  try {
    serverHostname = hostname() || 'localhost';
  } catch {
    // Traefik falls back to "localhost" too.
  }
  return { serverHostname, notAppendXForwardedFor: new Set(notAppendXForwardedFor), addXForwardedSchemeHeaders: new Set(addXForwardedSchemeHeaders) };
}

/** Comma-separated tokens of a Connection-like header, lower-case. */
function tokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  const out: string[] = [];
  for (const part of joined.split(',')) {
    const token = part.trim().toLowerCase();
    if (token !== '') out.push(token);
  }
  return out;
}

/**
 * The managed headers the client itself sent, with the value Node made of them (duplicates joined by ", ").
 * Middlewares change `req.headers` but never `req.rawHeaders`, so a header still holding the client's value was
 * not set by a middleware: those are the ones an untrusted client must not pass through. A middleware that set
 * one (stripPrefix's X-Forwarded-Prefix) keeps it, as in Traefik where the entrypoint strips before middlewares.
 */
function clientManagedHeaders(raw: readonly string[]): Map<string, string> | undefined {
  let found: Map<string, string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.charCodeAt(0) !== 88 && name.charCodeAt(0) !== LOWER_X) continue;
    const lower = name.toLowerCase();
    if (!isManagedForwardedHeader(lower)) continue;
    found ??= new Map();
    const previous = found.get(lower);
    found.set(lower, previous === undefined ? (raw[i + 1] as string) : `${previous}, ${raw[i + 1] as string}`);
  }
  return found;
}

/** The port of a Host header value, or '' (Go's net.SplitHostPort rules). */
function hostPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']:');
    return end === -1 ? '' : host.slice(end + 2);
  }
  const colon = host.indexOf(':');
  return colon === -1 || colon !== host.lastIndexOf(':') ? '' : host.slice(colon + 1);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** True for a WebSocket handshake: `Connection: upgrade` and `Upgrade: websocket`. */
export function isWebSocketRequest(headers: IncomingHttpHeaders): boolean {
  return tokens(headers.connection).includes('upgrade') && (first(headers.upgrade) ?? '').toLowerCase() === 'websocket';
}

/**
 * The headers sent to the server, from `req.headers` as middlewares left them. Combines what Traefik does at the
 * entrypoint (forwardedheaders: strip untrusted X-Forwarded-*, then set X-Real-Ip, X-Forwarded-Proto/-Port/
 * -Host/-Server) with what its reverse proxy does (append the client to X-Forwarded-For, drop hop-by-hop
 * headers and those named by Connection, keep `TE: trailers`, Host per passHostHeader, Connection/Upgrade for
 * an upgrade). A new object: `req.headers` is left as it was, so a retry or a mirror starts from the same input.
 */
export function upstreamRequestHeaders(req: Pick<IncomingMessage, 'headers' | 'rawHeaders'>, ctx: RequestContext, target: ForwardTarget, policy: ForwardedHeadersPolicy): UpstreamHeaders {
  const incoming = req.headers;
  const listed = incoming.connection === undefined ? undefined : tokens(incoming.connection);
  const untrusted = ctx.trustForwardHeaders ? undefined : clientManagedHeaders(req.rawHeaders);
  const out: UpstreamHeaders = {};
  for (const key in incoming) {
    const value = incoming[key];
    if (value === undefined || key.charCodeAt(0) === COLON) continue;
    if (HOP_BY_HOP.has(key) || key === 'expect') continue;
    // RFC 9110 7.6.1: Connection names more hop-by-hop headers, but it may not remove the ones Traefik manages.
    if (listed !== undefined && listed.includes(key) && !isManagedForwardedHeader(key)) continue;
    if (untrusted !== undefined && untrusted.get(key) === value) continue;
    out[key] = value;
  }

  const host = incoming.host ?? first(incoming[':authority']) ?? '';
  const isWebSocket = ctx.upgrade !== undefined && isWebSocketRequest(incoming);
  // Traefik drops an IPv6 zone (`fe80::1%eth0`) from X-Real-Ip only.
  out['x-real-ip'] ??= ctx.clientIp.includes('%') ? ctx.clientIp.slice(0, ctx.clientIp.indexOf('%')) : ctx.clientIp;
  let proto = first(out['x-forwarded-proto']);
  if (proto === undefined) {
    proto = isWebSocket ? (ctx.tls ? 'wss' : 'ws') : (ctx.tls ? 'https' : 'http');
    out['x-forwarded-proto'] = proto;
  }
  // Some applications (Rails, Django behind nginx conventions) read the scheme from these instead; only a trusted
  // client's own values survive (the untrusted ones were dropped above with the other managed headers).
  if (policy.addXForwardedSchemeHeaders?.has(ctx.entryPoint) === true) {
    out['x-forwarded-scheme'] ??= proto;
    out['x-scheme'] ??= proto;
  }
  if (out['x-forwarded-port'] === undefined) {
    const port = hostPort(host);
    out['x-forwarded-port'] = port !== '' ? port : proto === 'https' || proto === 'wss' || ctx.tls ? '443' : '80';
  }
  if (out['x-forwarded-host'] === undefined && host !== '') out['x-forwarded-host'] = host;
  out['x-forwarded-server'] = policy.serverHostname;
  if (!policy.notAppendXForwardedFor.has(ctx.entryPoint)) {
    const prior = out['x-forwarded-for'];
    const joined = Array.isArray(prior) ? prior.join(', ') : prior;
    out['x-forwarded-for'] = joined === undefined || joined === '' ? ctx.clientIp : `${joined}, ${ctx.clientIp}`;
  }

  if (!target.passHostHeader) out['host'] = target.authority;
  else if (out['host'] === undefined && host !== '') out['host'] = host;
  // Go's ReverseProxy: tell the server we support trailers if the client said it does.
  if (tokens(incoming['te']).includes('trailers')) out['te'] = 'trailers';
  if (ctx.upgrade !== undefined && listed?.includes('upgrade') === true) {
    const kind = first(incoming.upgrade);
    if (kind !== undefined) {
      out['connection'] = 'Upgrade';
      out['upgrade'] = kind;
    }
  }
  return out;
}

/**
 * True when the request has a body to stream: chunked or a non-zero Content-Length over HTTP/1.1; over HTTP/2
 * (Node's compatibility API) a body needs no header, so it is there unless the HEADERS frame ended the stream.
 */
export function hasRequestBody(req: IncomingMessage): boolean {
  const headers = req.headers;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  if (length !== undefined) return length !== '0';
  if (req.httpVersionMajor < 2) return false;
  return (req as IncomingMessage & { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders !== true;
}

/**
 * Response headers for the client, from a raw `[name, value, ...]` list (undici gives Buffers, node:http
 * strings): hop-by-hop headers and those named by Connection removed. Fills `out` and returns the value of the
 * server's Trailer header, if any, so the caller can announce and forward the trailers.
 */
export function clientResponseHeaders(raw: ReadonlyArray<string | Buffer>, out: string[]): string | undefined {
  let listed: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string | Buffer;
    if (name.length === 10 && text(name).toLowerCase() === 'connection') listed = [...(listed ?? []), ...tokens(text(raw[i + 1]))];
  }
  let trailer: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = text(raw[i]);
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'trailer') trailer = trailer === undefined ? text(raw[i + 1]) : `${trailer}, ${text(raw[i + 1])}`;
      continue;
    }
    if (listed !== undefined && listed.includes(lower)) continue;
    out.push(name, text(raw[i + 1]));
  }
  return trailer;
}

/** Trailer fields as `[name, value]` pairs for `res.addTrailers`, from a raw list. */
export function trailerPairs(raw: ReadonlyArray<string | Buffer>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) out.push([text(raw[i]), text(raw[i + 1])]);
  return out;
}
