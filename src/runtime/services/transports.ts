import { isIP } from 'node:net';
import type { Client } from 'undici';
import { createAgent, retireAgent, type UpstreamAgent } from './agents.js';
import { ClientPool } from './client-pool.js';
import { Http1ConnectionPool } from './http1/connection-pool.js';
import { Leases } from './leases.js';
import type { ResolvedTransport } from './transport-config.js';
import { loadUndici, undiciIfLoaded } from './undici-module.js';

/**
 * Everything that connects to one server through one serversTransport: HTTP/1.1 connections for the http1
 * engine, undici clients for h2c (and the undici engine), keep-alive node:http agents for the http-proxy-3
 * engine, and a non-keep-alive agent for upgrades (an upgraded socket leaves its agent, so keep-alive would only keep half-open sockets). Each is created on
 * first use. An UpstreamPool stays usable after it is retired: a request that outlived its generation still
 * completes, on connections that are then closed instead of kept.
 */
export class UpstreamPool {
  /** `http://host:port` (h2c targets use http too). */
  readonly origin: string;
  readonly secure: boolean;
  readonly h2c: boolean;
  readonly transport: ResolvedTransport;
  /** TLS server name: the transport's serverName, else the server's host name (none for an IP address). */
  readonly servername: string | undefined;
  /** Where to connect: the host name or address (IPv6 without brackets) and the port (the scheme's default if none). */
  readonly host: string;
  readonly port: number;
  #connections: Http1ConnectionPool | undefined;
  #clients: ClientPool | undefined;
  #agent: UpstreamAgent | undefined;
  #upgradeAgent: UpstreamAgent | undefined;
  #retired = false;

  constructor(origin: URL, h2c: boolean, transport: ResolvedTransport) {
    this.origin = origin.origin;
    this.secure = origin.protocol === 'https:';
    this.h2c = h2c;
    this.transport = transport;
    this.host = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
    this.port = origin.port === '' ? (this.secure ? 443 : 80) : Number(origin.port);
    this.servername = transport.tls.serverName ?? (isIP(this.host) === 0 ? this.host : undefined);
    // Only undici speaks h2c: have it ready by the first request.
    if (h2c) void loadUndici();
  }

  get connections(): Http1ConnectionPool {
    if (this.#connections === undefined) {
      this.#connections = new Http1ConnectionPool(this, this.transport, this.servername);
      if (this.#retired) this.#connections.retire();
    }
    return this.#connections;
  }

  /** undici clients; the undici forwarder loads undici (`loadUndici`) before it asks. */
  get clients(): ClientPool {
    if (this.#clients === undefined) {
      const undici = undiciIfLoaded();
      if (undici === undefined) throw new Error('undici is used before it was loaded (loadUndici)');
      this.#clients = new ClientPool(undici, this.origin, this.transport, this.servername, this.h2c);
      if (this.#retired) this.#clients.retire();
    }
    return this.#clients;
  }

  get agent(): UpstreamAgent {
    if (this.#agent === undefined) {
      this.#agent = createAgent(this.secure, this.transport, this.servername, true);
      if (this.#retired) retireAgent(this.#agent);
    }
    return this.#agent;
  }

  get upgradeAgent(): UpstreamAgent {
    this.#upgradeAgent ??= createAgent(this.secure, this.transport, this.servername, false);
    return this.#upgradeAgent;
  }

  /** Takes an undici client for one request; give it back with `releaseClient`. */
  acquireClient(): Client {
    return this.clients.acquire();
  }

  releaseClient(client: Client): void {
    this.#clients?.release(client);
  }

  /** Stops keeping idle connections; what is in flight finishes. */
  retire(): void {
    this.#retired = true;
    this.#connections?.retire();
    this.#clients?.retire();
    if (this.#agent !== undefined) retireAgent(this.#agent);
  }

  async destroy(): Promise<void> {
    this.#retired = true;
    this.#agent?.destroy();
    this.#upgradeAgent?.destroy();
    await Promise.all([this.#clients?.destroy(), this.#connections?.destroy()]);
  }
}

/**
 * Connection pools keyed by (server origin, transport identity), shared by every generation. A generation takes
 * a lease with its AbortSignal when it builds a service (see Leases): since compile() builds generation N
 * before N-1 is aborted, a reload never drops pooled sockets. When no generation uses a pool any more it is
 * kept for `idleConnTimeout` (a quick revert of the configuration finds it warm), then retired and forgotten.
 * Upgraded connections (WebSocket) do not belong to any pool and are not affected (see UpgradeTracker).
 */
export class TransportRegistry {
  readonly #pools = new Map<string, UpstreamPool>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #leases = new Leases<string>((key) => this.#unused(key));
  #closed = false;

  /** The pool for `origin` through `transport`, leased until `signal` aborts. */
  acquire(origin: URL, h2c: boolean, transport: ResolvedTransport, signal: AbortSignal): UpstreamPool {
    const key = `${h2c ? 'h2c' : origin.protocol}//${origin.host} ${transport.identity}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new UpstreamPool(origin, h2c, transport);
      if (this.#closed) pool.retire();
      else this.#pools.set(key, pool);
    }
    const timer = this.#timers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#timers.delete(key);
    }
    this.#leases.acquire(key, signal);
    if (this.#leases.count(key) === 0 && !this.#timers.has(key)) this.#unused(key);
    return pool;
  }

  /** Pools currently kept (for tests and metrics). */
  get size(): number {
    return this.#pools.size;
  }

  /** Closes every pool and its connections, in flight or not (process shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }

  #unused(key: string): void {
    const pool = this.#pools.get(key);
    if (pool === undefined) return;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      if (this.#leases.count(key) > 0) return;
      this.#pools.delete(key);
      pool.retire();
    }, pool.transport.idleConnTimeout);
    timer.unref();
    this.#timers.set(key, timer);
  }
}
