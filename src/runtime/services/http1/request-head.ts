import type { UpstreamHeaders } from '../forward-headers.js';

/** RFC 9110 token characters: what a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What a request target may hold once on the wire (undici and node:http refuse the same): no space, no control. */
const INVALID_PATH = /[^\u0021-\u00ff]/;

/** The error for a header Berth refuses to send; no known code, so the client gets 500 (Berth's own fault). */
function invalidHeader(name: string): Error {
  return Object.assign(new Error(`request header "${name}" has a name or value that cannot be sent over HTTP/1.1`), { code: 'ERR_BERTH_INVALID_REQUEST_HEADER' });
}

function line(name: string, value: string): string {
  // Values come from the client (already checked by Node's parser) or from middlewares and configuration, which
  // nothing else checks: a CR or LF here would let one header smuggle another, or a second request.
  if (value.indexOf('\r') !== -1 || value.indexOf('\n') !== -1 || value.indexOf('\0') !== -1) throw invalidHeader(name);
  return `${name}: ${value}\r\n`;
}

/**
 * The request line and header block sent to the server, as one latin1 string (each header byte as received, as
 * node:http and undici write them): the headers from `upstreamRequestHeaders`, a Host when the client sent none
 * (the server URL's authority, as Go's URL.Host), and `extra` lines the engine adds (framing, Connection).
 * Throws for a header that cannot be written safely.
 */
export function requestHead(method: string, path: string, headers: UpstreamHeaders, authority: string, extra: string): string {
  if (INVALID_PATH.test(path)) {
    throw Object.assign(new Error(`request target "${path}" cannot be sent over HTTP/1.1 (spaces or control characters)`), { code: 'ERR_BERTH_INVALID_REQUEST_TARGET' });
  }
  let head = `${method} ${path} HTTP/1.1\r\n`;
  if (headers['host'] === undefined) head += `host: ${authority}\r\n`;
  for (const name in headers) {
    if (!TOKEN.test(name)) throw invalidHeader(name);
    const value = headers[name] as string | string[];
    if (typeof value === 'string') head += line(name, value);
    else for (const one of value) head += line(name, one);
  }
  return `${head}${extra}\r\n`;
}
