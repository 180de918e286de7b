import type { Duplex } from 'node:stream';

/**
 * Per-request state that the entrypoint creates once and every layer reads: routing inputs, the router and
 * service that took the request, and, for a WebSocket (or other) upgrade, the raw socket. Middlewares change the
 * request itself (`req.url`, `req.headers`) as Traefik's do; this object carries what is not an HTTP header.
 */
export interface RequestContext {
  /** The EntryPoint name the connection arrived on. */
  readonly entryPoint: string;
  /** The connection's remote address (after the PROXY protocol when trusted). Never taken from X-Forwarded-For. */
  readonly clientIp: string;
  readonly clientPort: number;
  /** The entrypoint's local port, for X-Forwarded-Port when the client sent none. */
  readonly localPort: number;
  /** True when the connection is TLS (Berth terminated it). */
  readonly tls: boolean;
  /** Whether X-Forwarded-* from this client are kept (forwardedHeaders.trustedIPs / insecure). */
  readonly trustForwardHeaders: boolean;
  /**
   * Request host as routing sees it: lower-cased, port and trailing dot removed; empty when the request has none.
   * The router muxer sets it (the entrypoint creates the context with '').
   */
  host: string;
  /** The SNI server name of a TLS connection (lower-cased), or '' when none was sent. */
  readonly serverName: string;
  /** Set by the router that matched (qualified name), for logs, metrics and the anti-loop check. */
  routerName: string;
  /** Set by the service that forwards the request (qualified name). */
  serviceName: string;
  /** The server URL the request was sent to, for access logs. */
  serverUrl: string;
  /** Present for an upgrade request (WebSocket): the client socket and the bytes read past the headers. */
  readonly upgrade: { readonly socket: Duplex; readonly head: Buffer } | undefined;
  /** High-resolution start time (process.hrtime.bigint()). */
  readonly startedAt: bigint;
}
