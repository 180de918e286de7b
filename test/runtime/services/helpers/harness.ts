import { createServer, request as httpRequest, ServerResponse, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createContext, INVALID } from '../../../../src/config/schema/index.js';
import { httpServersTransportSchema, type HttpServersTransportConfig } from '../../../../src/config/dynamic/servers-transport.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import type { Handler } from '../../../../src/runtime/handler.js';
import type { RequestContext } from '../../../../src/runtime/request-context.js';
import { createForwarder, type Forwarder, type ForwarderEngine, type ForwardObserver } from '../../../../src/runtime/services/forwarder.js';
import { ForwardTarget, parseServerUrl } from '../../../../src/runtime/services/forward-target.js';
import type { ForwardedHeadersPolicy } from '../../../../src/runtime/services/forward-headers.js';
import { resolveTransport, type ResolvedTransport } from '../../../../src/runtime/services/transport-config.js';
import { TransportRegistry } from '../../../../src/runtime/services/transports.js';
import { UpgradeTracker } from '../../../../src/runtime/services/upgrade-tracker.js';

/** A serversTransport with the schema's defaults, then `overrides` decoded over them. */
export function transportConfig(overrides: Record<string, unknown> = {}): HttpServersTransportConfig {
  const ctx = createContext({ flat: false, where: (path) => path.join('.') });
  const decoded = httpServersTransportSchema.decode(overrides, [], ctx);
  if (decoded === INVALID || decoded === undefined || ctx.issues.length > 0) throw new Error(`bad transport: ${JSON.stringify(ctx.issues)}`);
  return decoded;
}

export function resolved(overrides: Record<string, unknown> = {}, name = 'test@internal'): ResolvedTransport {
  const transport = resolveTransport(name, transportConfig(overrides));
  if ('code' in transport) throw new Error(transport.message);
  return transport;
}

export const TEST_POLICY: ForwardedHeadersPolicy = { serverHostname: 'berth-test-host', notAppendXForwardedFor: new Set(['quiet']) };

/** Records what a forwarder reported for one server. */
export class RecordingObserver implements ForwardObserver {
  starts = 0;
  responses: number[] = [];
  ends: number[] = [];
  onStart(): void {
    this.starts++;
  }
  onResponse(status: number): void {
    this.responses.push(status);
  }
  onEnd(status: number): void {
    this.ends.push(status);
  }
}

/** A forwarder of one engine with its registries, and a generation signal for the pools it leases. */
export class Forwarding {
  readonly forwarder: Forwarder;
  readonly transports = new TransportRegistry();
  readonly upgrades = new UpgradeTracker();
  generation = new AbortController();

  constructor(engine: ForwarderEngine, policy: ForwardedHeadersPolicy = TEST_POLICY) {
    this.forwarder = createForwarder(engine, { policy, upgrades: this.upgrades, logger: silentLogger() });
  }

  target(url: string, options: { passHostHeader?: boolean; preservePath?: boolean; transport?: Record<string, unknown> } = {}): ForwardTarget {
    const parsed = parseServerUrl(url);
    if ('code' in parsed) throw new Error(parsed.message);
    const pool = this.transports.acquire(parsed.origin, parsed.h2c, resolved(options.transport ?? {}), this.generation.signal);
    return new ForwardTarget({ url, passHostHeader: options.passHostHeader ?? true, preservePath: options.preservePath ?? false }, parsed, pool);
  }

  /** A handler forwarding everything to `target`, reporting to `observer`. */
  handler(target: ForwardTarget, observer: ForwardObserver = new RecordingObserver()): Handler {
    return (req, res, ctx) => this.forwarder.forward(req, res, ctx, target, observer);
  }

  async close(): Promise<void> {
    this.generation.abort();
    await this.upgrades.closeAll();
    await this.transports.close();
  }
}

export interface Frontend {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** The handler requests go to; tests swap it to simulate a new generation. */
  handler: Handler;
  /** Contexts of the requests received, newest last. */
  readonly contexts: RequestContext[];
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 that builds a RequestContext like the HTTP EntryPoint does (upgrades included: a
 * ServerResponse bound to the raw socket) and calls the current handler.
 */
export async function startFrontend(handler: Handler, options: { trust?: boolean; entryPoint?: string } = {}): Promise<Frontend> {
  const contexts: RequestContext[] = [];
  let port = 0;
  const context = (req: IncomingMessage, upgrade: RequestContext['upgrade']): RequestContext => {
    const ctx: RequestContext = {
      entryPoint: options.entryPoint ?? 'web',
      clientIp: req.socket.remoteAddress ?? '',
      clientPort: req.socket.remotePort ?? 0,
      localPort: port,
      tls: false,
      trustForwardHeaders: options.trust ?? false,
      host: '',
      serverName: '',
      routerName: 'test@file',
      serviceName: 'test@file',
      serverUrl: '',
      upgrade,
      startedAt: process.hrtime.bigint(),
    };
    contexts.push(ctx);
    return ctx;
  };
  const frontend: Frontend = {
    server: createServer(),
    port: 0,
    url: '',
    handler,
    contexts,
    close: () => new Promise<void>((resolve) => {
      frontend.server.closeAllConnections();
      frontend.server.close(() => resolve());
    }),
  };
  frontend.server.on('request', (req: IncomingMessage, res: ServerResponse) => frontend.handler(req, res, context(req, undefined)));
  frontend.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => socket.end());
    frontend.handler(req, res, context(req, { socket, head }));
  });
  await new Promise<void>((resolve) => frontend.server.listen(0, '127.0.0.1', resolve));
  port = (frontend.server.address() as AddressInfo).port;
  Object.assign(frontend, { port, url: `http://127.0.0.1:${port}` });
  return frontend;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly trailers: NodeJS.Dict<string>;
  readonly body: Buffer;
}

/** One request on a fresh connection; resolves with the whole answer. */
export function send(port: number, options: { method?: string; path?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, trailers: res.trailers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The JSON body of a default test backend (startBackend without a handler). */
export function echoed(reply: Reply): { url: string; method: string; headers: IncomingHttpHeaders; body: string } {
  return JSON.parse(reply.body.toString()) as { url: string; method: string; headers: IncomingHttpHeaders; body: string };
}
