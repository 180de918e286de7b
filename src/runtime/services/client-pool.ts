import type { buildConnector, Client } from 'undici';
import { tlsConnectOptions, type ResolvedTransport } from './transport-config.js';
import type { Undici } from './undici-module.js';

/**
 * An undici connector with the transport's TLS settings and dial timeout (which covers the TLS handshake).
 * undici would take the SNI from the request's Host header (the client's host, with passHostHeader); Go uses
 * the server URL's host or the transport's serverName, so `servername(hostname)` decides, for every connection.
 */
export function upstreamConnector(undici: Undici, transport: ResolvedTransport, h2c: boolean, servername: (hostname: string) => string | undefined): buildConnector.connector {
  const connector = undici.buildConnector({
    ...tlsConnectOptions(transport.tls),
    ...(h2c ? { allowH2: true, useH2c: true } : {}),
    timeout: transport.dialTimeout,
  } as buildConnector.BuildOptions);
  return (options, callback) => connector({ ...options, servername: servername(options.hostname) ?? null } as buildConnector.Options, callback);
}

/** Response headers Berth accepts from a server; Go's default limit is far above undici's 16 KiB. */
const MAX_RESPONSE_HEADER_BYTES = 1024 * 1024;
/** Go's IdleConnTimeout 0 means "no limit"; undici needs a number, so a long one stands in. */
const NO_IDLE_LIMIT_MS = 3_600_000;

/**
 * Plain-HTTP/1.1 connections to one server, as undici Clients (one socket each). Unlike undici's Pool it keeps
 * idle clients on a LIFO stack and closes a released client when `maxIdleConnsPerHost` are already idle, which
 * is Go's MaxIdleConnsPerHost: the pool grows with concurrency and shrinks back, and the most recently used
 * (warmest) sockets are reused first while the others idle out after `idleConnTimeout`. The number of
 * connections is not capped, as in Go: a cap would let long requests (SSE, long polling) starve the others.
 *
 * A caller takes a client with `acquire` and must `release` it exactly once when its request has finished.
 */
export class ClientPool {
  readonly #undici: Undici;
  readonly #origin: string;
  readonly #options: Client.Options;
  readonly #maxIdle: number;
  readonly #idle: Client[] = [];
  readonly #all = new Set<Client>();
  #retired = false;

  constructor(undici: Undici, origin: string, transport: ResolvedTransport, servername: string | undefined, h2c: boolean) {
    this.#undici = undici;
    this.#origin = origin;
    this.#maxIdle = transport.maxIdleConnsPerHost;
    const connect = upstreamConnector(undici, transport, h2c, () => servername);
    const idle = transport.idleConnTimeout > 0 ? transport.idleConnTimeout : NO_IDLE_LIMIT_MS;
    this.#options = {
      connect,
      keepAliveTimeout: idle,
      keepAliveMaxTimeout: idle,
      // Body and header timeouts are Berth's own (forwardingTimeouts); undici's 300 s defaults would cut SSE.
      headersTimeout: 0,
      bodyTimeout: 0,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      // A negative maxIdleConnsPerHost disables reuse: undici then sends `connection: close`.
      pipelining: h2c ? 100 : this.#maxIdle < 0 ? 0 : 1,
      ...(h2c ? { allowH2: true } : {}),
    };
  }

  /** A client free for one request: the most recently released one, or a new connection. */
  acquire(): Client {
    const client = this.#idle.pop();
    if (client !== undefined && !client.destroyed && !client.closed) return client;
    const created = new this.#undici.Client(this.#origin, this.#options);
    this.#all.add(created);
    created.on('disconnect', () => {
      // A client whose socket went away while idle is dropped rather than reconnected on next use.
      if (this.#idle.includes(created)) this.#discard(created);
    });
    return created;
  }

  /** Gives a client back after its request finished (successfully or not). */
  release(client: Client): void {
    if (client.destroyed || client.closed) {
      this.#all.delete(client);
      return;
    }
    if (this.#retired || this.#idle.length >= Math.max(this.#maxIdle, 0)) {
      this.#discard(client);
      return;
    }
    this.#idle.push(client);
  }

  /** Idle clients right now (for tests and metrics). */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Closes idle connections and keeps no new ones; requests in flight finish normally. */
  retire(): void {
    this.#retired = true;
    for (const client of this.#idle.splice(0)) this.#discard(client);
  }

  /** Closes everything now, requests in flight included (process shutdown). */
  async destroy(): Promise<void> {
    this.#retired = true;
    this.#idle.length = 0;
    await Promise.all([...this.#all].map((client) => client.destroy().catch(() => undefined)));
    this.#all.clear();
  }

  #discard(client: Client): void {
    const index = this.#idle.indexOf(client);
    if (index !== -1) this.#idle.splice(index, 1);
    this.#all.delete(client);
    client.close().catch(() => undefined);
  }
}
