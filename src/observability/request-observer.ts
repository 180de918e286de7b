import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AccessLog } from './access-log/access-log.js';
import { basicUser } from './access-log/record.js';
import type { PrometheusMetrics } from './metrics/prometheus.js';
import type { ScopeSeries } from './metrics/request-series.js';
import { retriesOf } from './retries.js';

/**
 * What observability reads from the runtime's per-request context (RequestContext satisfies it; declared here so
 * that observability does not depend on the runtime).
 */
export interface ObservedContext {
  readonly entryPoint: string;
  readonly clientIp: string;
  readonly clientPort: number;
  readonly tls: boolean;
  readonly trustForwardHeaders: boolean;
  readonly routerName: string;
  readonly serviceName: string;
  readonly serverUrl: string;
  readonly upgrade: unknown;
  readonly startedAt: bigint;
}

/** A router as observability sees it, from compile (names qualified). */
export interface ObservedRouter {
  readonly name: string;
  /** The service the router names (its metrics' `service` label). */
  readonly service: string;
  readonly internal: boolean;
  /** The router's `observability.accessLogs` / `.metrics`, overriding the entrypoint's when set. */
  readonly accessLogs: boolean | undefined;
  readonly metrics: boolean | undefined;
}

/** An entrypoint's `observability` section (static). */
export interface ObservedEntryPoint {
  readonly name: string;
  readonly accessLogs: boolean;
  readonly metrics: boolean;
}

/** Called by the entry handler first thing for every request; it arranges its own end-of-request work. */
export type RequestObserver = (req: IncomingMessage, res: ServerResponse, ctx: ObservedContext) => void;

/** What compile asks for, once per entrypoint and graph. */
export interface Observability {
  /** The observer of one entrypoint, or undefined when nothing is logged or measured there (no per-request cost). */
  entryObserver(entryPoint: ObservedEntryPoint, routers: ReadonlyMap<string, ObservedRouter>): RequestObserver | undefined;
}

export interface ObservabilityOptions {
  readonly accessLog?: AccessLog;
  /** `accessLog.addInternals`: log requests to Berth's own routers (api, dashboard, ping, metrics). */
  readonly accessLogInternals?: boolean;
  readonly metrics?: PrometheusMetrics;
}

/** Per-router decisions, resolved at compile time. */
interface RouterPlan {
  readonly log: boolean;
  readonly measure: boolean;
  readonly series: ScopeSeries | undefined;
  readonly service: string;
}

const STATE = Symbol('berth.observation');
const BELOW_WRITE = Symbol('berth.write');
const BELOW_END = Symbol('berth.end');

interface Observation {
  readonly ctx: ObservedContext;
  /** The request target as the client sent it. */
  readonly url: string;
  readonly requestCount: number;
  readonly plan: EntryPlan;
  bytes: number;
}

interface ObservedResponse extends ServerResponse {
  [STATE]: Observation;
  /** The write/end that were in place before counting. */
  [BELOW_WRITE]: ServerResponse['write'];
  [BELOW_END]: ServerResponse['end'];
}

interface EntryPlan {
  readonly log: boolean;
  readonly series: ScopeSeries | undefined;
  readonly routers: ReadonlyMap<string, RouterPlan>;
  readonly accessLog: AccessLog | undefined;
  readonly metrics: PrometheusMetrics | undefined;
}

/**
 * Access logs and metrics for every request, done when the response is finished (its 'close' event, which also
 * covers clients that leave and WebSockets that end). All decisions that depend on configuration (which
 * routers log, which metric series a router and a service use) are made once per graph; a request costs one
 * small object, one listener and a byte counter on the response.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  const { accessLog, metrics } = options;
  return {
    entryObserver(entryPoint, routers) {
      const epLog = accessLog !== undefined && entryPoint.accessLogs;
      const epMeasure = metrics !== undefined && entryPoint.metrics;
      const plans = new Map<string, RouterPlan>();
      let any = epLog || epMeasure;
      for (const router of routers.values()) {
        const log = accessLog !== undefined && (router.accessLogs ?? entryPoint.accessLogs) && (!router.internal || options.accessLogInternals === true);
        const measure = metrics !== undefined && (router.metrics ?? entryPoint.metrics) && (!router.internal || metrics.settings.addInternals);
        any ||= log || measure;
        plans.set(router.name, { log, measure, series: measure ? metrics?.router(router.name, router.service) : undefined, service: router.service });
      }
      if (!any) return undefined;
      const plan: EntryPlan = {
        log: epLog,
        series: epMeasure ? metrics?.entryPoint(entryPoint.name) : undefined,
        routers: plans,
        accessLog,
        metrics,
      };
      return (req, res, ctx) => begin(plan, req, res, ctx);
    },
  };
}

function begin(plan: EntryPlan, req: IncomingMessage, res: ServerResponse, ctx: ObservedContext): void {
  const observed = res as ObservedResponse;
  observed[STATE] = { ctx, url: req.url ?? '/', requestCount: plan.accessLog?.nextRequestCount() ?? 0, plan, bytes: 0 };
  observed[BELOW_WRITE] = res.write;
  observed[BELOW_END] = res.end;
  res.write = countingWrite as ServerResponse['write'];
  res.end = countingEnd as ServerResponse['end'];
  res.on('close', finish);
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

function countingWrite(this: ObservedResponse, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  this[STATE].bytes += byteLength(chunk, encoding);
  return (this[BELOW_WRITE] as (...args: unknown[]) => boolean).call(this, chunk, encoding, callback);
}

function countingEnd(this: ObservedResponse, chunk?: unknown, encoding?: unknown, callback?: unknown): ServerResponse {
  if (typeof chunk !== 'function') this[STATE].bytes += byteLength(chunk, encoding);
  return (this[BELOW_END] as (...args: unknown[]) => ServerResponse).call(this, chunk, encoding, callback);
}

/** Traefik's protocol label: websocket, grpc, grpc-web, sse, or http. */
function protocolOf(req: IncomingMessage, ctx: ObservedContext): string {
  if (ctx.upgrade !== undefined) return (req.headers.upgrade ?? '').toLowerCase() === 'websocket' ? 'websocket' : 'http';
  const type = req.headers['content-type'];
  if (type !== undefined && type.startsWith('application/grpc')) return type.startsWith('application/grpc-web') ? 'grpc-web' : 'grpc';
  return req.headers.accept === 'text/event-stream' ? 'sse' : 'http';
}

function finish(this: ServerResponse): void {
  const res = this as ObservedResponse;
  const state = res[STATE];
  const { ctx, plan } = state;
  const req = res.req;
  // A client that left before any answer is Traefik's 499; an upgrade's status is set by the forwarder (101).
  const status = ctx.upgrade === undefined && !res.headersSent ? 499 : res.statusCode;
  const durationNs = Number(process.hrtime.bigint() - ctx.startedAt);
  const router = ctx.routerName === '' ? undefined : plan.routers.get(ctx.routerName);
  const retries = retriesOf(ctx);
  const length = req.headers['content-length'];
  const requestBytes = length === undefined ? 0 : Number(length) || 0;

  const metrics = plan.metrics;
  if (metrics !== undefined && (router === undefined ? plan.series !== undefined : router.measure)) {
    const seconds = durationNs / 1e9;
    const method = req.method ?? 'GET';
    const protocol = protocolOf(req, ctx);
    const extra = metrics.headerValues(req.headers);
    plan.series?.record(status, method, protocol, extra, seconds, requestBytes, state.bytes);
    if (router !== undefined) {
      router.series?.record(status, method, protocol, extra, seconds, requestBytes, state.bytes);
      const service = ctx.serviceName;
      if (service !== '' && (metrics.settings.addInternals || !service.endsWith('@internal'))) {
        metrics.service(service)?.record(status, method, protocol, extra, seconds, requestBytes, state.bytes);
      }
      if (retries > 0) metrics.retried(router.service, retries);
    }
  }

  const accessLog = plan.accessLog;
  if (accessLog === undefined || !(router === undefined ? plan.log : router.log)) return;
  if (!accessLog.accepts(status, retries, durationNs / 1e6)) return;
  const tls = ctx.tls ? (req.socket as TLSSocket) : undefined;
  const cipher = tls?.getCipher?.();
  accessLog.write({
    startMs: Date.now() - durationNs / 1e6,
    durationNs,
    routerName: ctx.routerName,
    serviceName: ctx.serviceName,
    serviceUrl: ctx.serverUrl,
    clientIp: ctx.clientIp,
    clientPort: ctx.clientPort,
    trustedForwarded: ctx.trustForwardHeaders,
    clientUsername: status < 400 ? basicUser(req.headers.authorization) : '',
    requestAddr: req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '',
    method: req.method ?? 'GET',
    path: state.url,
    protocol: `HTTP/${req.httpVersion}`,
    scheme: ctx.tls ? 'https' : 'http',
    requestContentSize: requestBytes,
    status,
    downstreamContentSize: state.bytes,
    retryAttempts: retries,
    requestCount: state.requestCount,
    tlsVersion: tls?.getProtocol?.()?.replace(/^TLSv/, '') ?? '',
    tlsCipher: cipher?.standardName ?? cipher?.name ?? '',
    requestHeaders: req.headers,
    responseHeaders: res.getHeaders(),
  });
}
