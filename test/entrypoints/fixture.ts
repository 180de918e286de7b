import type { IncomingMessage, ServerResponse } from 'node:http';
import { HandlerSwitcher, type RoutingTable } from '../../src/entrypoints/handler-switcher.js';
import { HttpEntryPoint, type HttpEntryPointOptions } from '../../src/entrypoints/http-entrypoint.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { Handler } from '../../src/runtime/handler.js';
import type { RequestContext } from '../../src/runtime/request-context.js';

/** Answers JSON describing what the entrypoint told the handler. */
export const echo: Handler = (req, res, ctx) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.stringify({
      tls: ctx.tls, serverName: ctx.serverName, clientIp: ctx.clientIp, localPort: ctx.localPort, entryPoint: ctx.entryPoint,
      trusted: ctx.trustForwardHeaders, version: req.httpVersion, url: req.url, method: req.method,
      host: req.headers.host ?? req.headers[':authority'], body: Buffer.concat(chunks).toString(),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
};

export interface Echoed {
  tls: boolean; serverName: string; clientIp: string; localPort: number; entryPoint: string; trusted: boolean;
  version: string; url: string; method: string; host: string; body: string;
}

/** A routing table with one handler for plain requests and one for TLS requests. */
export function table(generation: number, handlers: { http?: Handler; https?: Handler }): RoutingTable {
  return { generation, handlerFor: (_entryPoint, tls) => (tls ? handlers.https : handlers.http) };
}

/** Options of an entrypoint on 127.0.0.1, port 0, with Traefik's defaults. */
export function entryPointOptions(overrides: Partial<HttpEntryPointOptions> = {}): HttpEntryPointOptions {
  return {
    name: 'web',
    address: { host: '127.0.0.1', port: 0, protocol: 'tcp' },
    forwardedHeaders: { trustedIPs: [], insecure: false },
    readTimeout: 60_000,
    writeTimeout: 0,
    idleTimeout: 180_000,
    requestAcceptGraceTimeout: 0,
    graceTimeOut: 10_000,
    maxHeaderBytes: 1_048_576,
    keepAliveMaxRequests: 0,
    keepAliveMaxTime: 0,
    ...overrides,
  };
}

/** A listening entrypoint and its switcher; `close` shuts it down gracefully. */
export async function startEntryPoint(options: HttpEntryPointOptions, routing?: RoutingTable): Promise<{ entryPoint: HttpEntryPoint; switcher: HandlerSwitcher; close: () => Promise<void> }> {
  const switcher = new HandlerSwitcher();
  if (routing !== undefined) switcher.set(routing);
  const entryPoint = new HttpEntryPoint(options, switcher, silentLogger());
  await entryPoint.listen();
  return { entryPoint, switcher, close: () => entryPoint.shutdown(async () => undefined) };
}

/** A handler that holds its response until `release()` is called. */
export function held(): { handler: Handler; started: Array<RequestContext>; release: () => void } {
  const waiting: Array<ServerResponse> = [];
  const started: RequestContext[] = [];
  return {
    handler: (_req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => {
      started.push(ctx);
      waiting.push(res);
    },
    started,
    release: () => {
      for (const res of waiting.splice(0)) res.writeHead(200).end('released');
    },
  };
}
