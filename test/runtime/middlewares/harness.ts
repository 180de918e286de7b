import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, request as httpsRequest, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { middlewareSchema } from '../../../src/config/dynamic/middlewares/index.js';
import { createContext, formatPath } from '../../../src/config/schema/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { deepFreeze } from '../../../src/util/deep-freeze.js';
import type { Handler } from '../../../src/runtime/handler.js';
import type { RequestContext } from '../../../src/runtime/request-context.js';
import {
  buildMiddlewareChain,
  createMiddlewareCatalog,
  type ChainResult,
  type MiddlewareCatalog,
  type MiddlewareCatalogOptions,
} from '../../../src/runtime/middlewares/chain-builder.js';

/** What the echo terminal saw: the request as it left the middlewares. */
export interface Echoed {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A terminal handler standing in for the backend: answers 200 with JSON describing the request it got. */
export const echo: Handler = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body: Echoed = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
};

export interface Served {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly tls?: ServerOptions;
  readonly trustForwardHeaders?: boolean;
}

/** Runs `handler` behind a real server on 127.0.0.1:0, with a RequestContext as the entrypoint makes it. */
export async function serve(handler: Handler, options: ServeOptions = {}): Promise<Served> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const hostHeader = req.headers.host ?? '';
    const ctx: RequestContext = {
      entryPoint: 'web',
      clientIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      clientPort: req.socket.remotePort ?? 0,
      localPort: req.socket.localPort ?? 0,
      tls: options.tls !== undefined,
      trustForwardHeaders: options.trustForwardHeaders ?? false,
      host: hostHeader.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase(),
      serverName: '',
      routerName: 'router@test',
      serviceName: '',
      serverUrl: '',
      upgrade: undefined,
      startedAt: process.hrtime.bigint(),
    };
    handler(req, res, ctx);
  };
  const server = options.tls === undefined ? createServer(listener) : createTlsServer(options.tls, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  /** The body parsed as the echo terminal's JSON. */
  readonly echoed: Echoed;
}

export interface SendOptions {
  readonly method?: string;
  /** Sent exactly as given (no normalisation of `..` or percent-escapes, unlike fetch). */
  readonly path?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** TLS client options for an https server (ca, cert, key...). */
  readonly tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; servername?: string };
}

/** One request over a fresh connection; resolves with the whole response. */
export function send(base: string, options: SendOptions = {}): Promise<Reply> {
  const url = new URL(base);
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)({
      host: url.hostname,
      port: url.port,
      method: options.method ?? 'GET',
      path: options.path ?? '/',
      headers: options.headers ?? {},
      agent: false,
      ...(https ? { rejectUnauthorized: false, ...options.tls } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text,
          get echoed(): Echoed {
            return JSON.parse(text) as Echoed;
          },
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Decodes raw middleware configurations (as YAML would give them) with the real schema; decode errors throw. */
export function decodeMiddlewares(raw: Record<string, unknown>): Map<string, never> {
  const out = new Map<string, never>();
  for (const [name, config] of Object.entries(raw)) {
    const ctx = createContext({ flat: false, where: (p) => `test: ${name}.${formatPath(p)}` });
    const decoded = middlewareSchema.decode(config, [], ctx);
    const errors = ctx.issues.filter((issue) => issue.severity === 'error');
    if (errors.length > 0 || typeof decoded !== 'object' || decoded === null) {
      throw new Error(`bad test configuration for ${name}: ${errors.map((e) => `${e.where}: ${e.message}`).join('; ')}`);
    }
    out.set(name.includes('@') ? name : `${name}@test`, deepFreeze(decoded) as never);
  }
  return out;
}

/** A catalog over raw middleware configurations (names without `@` get `@test`). */
export function catalogOf(raw: Record<string, unknown>, overrides: Partial<MiddlewareCatalogOptions> = {}): MiddlewareCatalog {
  const configs = decodeMiddlewares(raw);
  return createMiddlewareCatalog({
    middlewares: (name) => configs.get(name),
    services: () => undefined,
    logger: silentLogger(),
    signal: new AbortController().signal,
    ...overrides,
  });
}

/** Builds the chain `names` over `terminal`; throws with the issues when it cannot be built. */
export function chainOf(raw: Record<string, unknown>, names: readonly string[], terminal: Handler = echo, overrides: Partial<MiddlewareCatalogOptions> = {}): Handler {
  const result: ChainResult = buildMiddlewareChain(names.map(qualified), terminal, catalogOf(raw, overrides));
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  return result.handler;
}

/** Serves one middleware, configured as `config` (e.g. `{ stripPrefix: { prefixes: ['/a'] } }`), over `terminal`. */
export function serveMiddleware(config: unknown, terminal: Handler = echo, options: ServeOptions & Partial<MiddlewareCatalogOptions> = {}): Promise<Served> {
  return serve(chainOf({ m: config }, ['m'], terminal, options), options);
}

/** The build errors of one middleware configuration (empty when it builds). */
export function buildErrors(config: unknown, overrides: Partial<MiddlewareCatalogOptions> = {}): string[] {
  const result = buildMiddlewareChain(['m@test'], echo, catalogOf({ m: config }, overrides));
  return result.ok ? [] : result.errors.map((e) => `${e.code}: ${e.message}`);
}

function qualified(name: string): string {
  return name.includes('@') ? name : `${name}@test`;
}

/** A file of test/runtime/middlewares/fixtures (certificates and keys valid until 2126). */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../../../test/runtime/middlewares/fixtures/${name}`, import.meta.url), 'utf8');
}

/** Server TLS options with the fixture certificate for 127.0.0.1; `requestCert` asks for a client certificate. */
export function tlsOptions(requestCert = false): ServerOptions {
  return { cert: fixture('server.pem'), key: fixture('server.key'), ca: fixture('ca.pem'), requestCert, rejectUnauthorized: false };
}
