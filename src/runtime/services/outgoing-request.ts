import type { IncomingMessage } from 'node:http';
import type { UpstreamHeaders } from './forward-headers.js';

/**
 * Runs `call` while `req.headers` and `req.url` hold what Berth wants sent upstream. http-proxy-3 builds its
 * outgoing request from them synchronously (setupOutgoing), so the request is exactly as the undici engine's;
 * both are restored right after, for retries, mirrors and logs. `headers` is shadowed with an own property
 * because Node's HTTP/2 compatibility request has no setter for it.
 */
export function withOutgoingRequest(req: IncomingMessage, headers: UpstreamHeaders, url: string, call: () => void): void {
  const ownHeaders = Object.getOwnPropertyDescriptor(req, 'headers');
  const savedUrl = req.url;
  Object.defineProperty(req, 'headers', { value: headers, configurable: true, writable: true, enumerable: true });
  req.url = url;
  try {
    call();
  } finally {
    if (ownHeaders === undefined) delete (req as { headers?: unknown }).headers;
    else Object.defineProperty(req, 'headers', ownHeaders);
    req.url = savedUrl;
  }
}
