import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tlsConnectOptions, type ResolvedTransport } from '../transport-config.js';
import { UpstreamConnection } from './connection.js';

/** Response headers Berth accepts from a server; Go's default limit is far above Node's 16 KiB. */
const MAX_RESPONSE_HEADER_BYTES = 1024 * 1024;
/** TCP keep-alive probes on upstream connections, as Go's dialer (15 s) and undici (60 s) enable them. */
const TCP_KEEPALIVE_MS = 60_000;

/**
 * HTTP/1.1 connections to one server for the http1 engine, with the semantics of Go's http.Transport that the
 * undici pool has too: idle connections on a LIFO stack (the warmest first), at most `maxIdleConnsPerHost` of
 * them (negative: no reuse), each closed after `idleConnTimeout` idle; no cap on connections in use, since a cap
 * would let long requests (SSE, long polling) starve the others. Dialling honours `dialTimeout` for TCP and the
 * TLS handshake together, and https servers get the transport's TLS settings and SNI.
 *
 * An exchange takes a connection with `acquire` (or a fresh one with `dial`) and gives it back exactly once
 * with `release`, saying whether it can carry another request.
 */
export class Http1ConnectionPool {
  readonly #host: string;
  readonly #port: number;
  readonly #secure: boolean;
  readonly #transport: ResolvedTransport;
  readonly #servername: string | undefined;
  readonly #idle: UpstreamConnection[] = [];
  readonly #all = new Set<UpstreamConnection>();
  readonly #maxIdle: number;
  #tls: Record<string, unknown> | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #retired = false;

  constructor(server: { readonly host: string; readonly port: number; readonly secure: boolean }, transport: ResolvedTransport, servername: string | undefined) {
    this.#secure = server.secure;
    this.#host = server.host;
    this.#port = server.port;
    this.#transport = transport;
    this.#servername = servername;
    // Go: MaxIdleConnsPerHost 0 already became 2 (transport-config.ts); negative disables keep-alive.
    this.#maxIdle = transport.maxIdleConnsPerHost;
  }

  /** False when connections are never reused: requests then ask the server to close (`Connection: close`). */
  get keepAlive(): boolean {
    return this.#maxIdle >= 0;
  }

  /** Idle connections right now (for tests and metrics). */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** The most recently released idle connection, or a new one. */
  acquire(): UpstreamConnection {
    for (let connection = this.#idle.pop(); connection !== undefined; connection = this.#idle.pop()) {
      if (connection.usable) return connection;
      connection.destroy();
    }
    return this.dial();
  }

  /** A new connection, never one that was idle (for a retry after a reused connection failed). */
  dial(): UpstreamConnection {
    const socket = this.#connect();
    const connectEvent = this.#secure ? 'secureConnect' : 'connect';
    const connection = new UpstreamConnection(socket, connectEvent, this.#transport.dialTimeout, MAX_RESPONSE_HEADER_BYTES, (closed) => this.#forget(closed));
    this.#all.add(connection);
    return connection;
  }

  /** Gives a connection back after its exchange; `reusable` is false when the exchange did not end cleanly. */
  release(connection: UpstreamConnection, reusable: boolean): void {
    connection.detach();
    if (!reusable || !connection.usable || this.#retired || this.#idle.length >= this.#maxIdle) {
      connection.destroy();
      return;
    }
    connection.completed++;
    connection.idleSince = performance.now();
    this.#idle.push(connection);
    if (this.#sweep === undefined && this.#transport.idleConnTimeout > 0) this.#scheduleSweep(this.#transport.idleConnTimeout);
  }

  /** Closes idle connections and keeps no new ones; exchanges in flight finish normally. */
  retire(): void {
    this.#retired = true;
    clearTimeout(this.#sweep);
    for (const connection of this.#idle.splice(0)) connection.destroy();
  }

  /** Closes every connection now, exchanges in flight included (process shutdown). */
  async destroy(): Promise<void> {
    this.#retired = true;
    clearTimeout(this.#sweep);
    this.#idle.length = 0;
    const closing = [...this.#all].map((connection) => new Promise<void>((resolve) => {
      if (connection.socket.closed) return resolve();
      connection.socket.once('close', () => resolve());
      connection.destroy();
    }));
    await Promise.all(closing);
  }

  #connect(): Socket {
    let socket: Socket;
    if (this.#secure) {
      // An empty servername sends no SNI and verifies against the host, as Go does for an IP address.
      this.#tls ??= { ...tlsConnectOptions(this.#transport.tls), servername: this.#servername ?? '', ALPNProtocols: ['http/1.1'] };
      socket = connectTls({ ...this.#tls, host: this.#host, port: this.#port });
    } else {
      socket = connectTcp({ host: this.#host, port: this.#port });
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    return socket;
  }

  /**
   * idleConnTimeout with one timer per pool rather than one per connection and request: the stack is LIFO, so
   * the connections idle longest are at its bottom; each sweep closes those past the limit and waits for the next.
   */
  #scheduleSweep(delay: number): void {
    this.#sweep = setTimeout(() => {
      this.#sweep = undefined;
      const limit = this.#transport.idleConnTimeout;
      const now = performance.now();
      while (this.#idle.length > 0 && now - (this.#idle[0] as UpstreamConnection).idleSince >= limit) (this.#idle.shift() as UpstreamConnection).destroy();
      const oldest = this.#idle[0];
      if (oldest !== undefined) this.#scheduleSweep(Math.max(1, limit - (now - oldest.idleSince)));
    }, delay);
    this.#sweep.unref();
  }

  #forget(connection: UpstreamConnection): void {
    this.#all.delete(connection);
    const index = this.#idle.indexOf(connection);
    if (index !== -1) this.#idle.splice(index, 1);
  }
}
