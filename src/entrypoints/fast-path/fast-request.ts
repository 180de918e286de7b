import type { IncomingHttpHeaders } from 'node:http';
import type { FastRequest } from '../../runtime/fast-route.js';
import type { RequestHead } from './request-parser.js';

/** Connection values that name no header (the common ones). */
function plainConnection(value: string): boolean {
  const lower = value.toLowerCase();
  return lower === 'keep-alive' || lower === 'close';
}

/**
 * The request the fast path may serve from `head`, or undefined when node:http must: anything but HTTP/1.1, an
 * upgrade, a body (or a request that could have one: Transfer-Encoding, Expect), a Connection header naming other
 * headers, and a header name sent twice (node:http has rules for joining or dropping repeats; rather than copy
 * them, such requests take node:http's path). Every header name once makes `headers` exactly node:http's.
 */
export function fastRequest(head: RequestHead): FastRequest | undefined {
  if (head.versionMajor !== 1 || head.versionMinor !== 1 || head.upgrade) return undefined;
  const raw = head.rawHeaders;
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (Object.hasOwn(headers, name) || name === '__proto__') return undefined;
    switch (name) {
      case 'content-length':
        if (value !== '0') return undefined;
        break;
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
      case 'connection':
        if (!plainConnection(value)) return undefined;
        break;
      default:
    }
    headers[name] = value;
  }
  return { method: head.method, url: head.url, headers, rawHeaders: raw };
}
