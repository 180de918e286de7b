import { PassThrough } from 'node:stream';
import { sendStatus, type Handler } from '../handler.js';
import type { RequestContext } from '../request-context.js';
import type { BuiltService, ServiceHealth } from './built-service.js';
import { hasRequestBody } from './forward-headers.js';
import type { Balancer, BalancerCandidate, CandidateState } from './load-balancers/index.js';
import { NO_AVAILABLE_SERVER } from './load-balancer-service.js';
import { discardResponse, readBody, replayRequest } from './replay-request.js';
import { statusGate } from './status-gate.js';
import { pickCandidate, type StickyCookie } from './sticky.js';

/** A child service of a weighted or highestRandomWeight service. */
export interface ChildCandidate extends BalancerCandidate {
  readonly handler: Handler;
}

/**
 * A child's state as its parent's balancer reads it: its health when the parent asked for health propagation
 * (`healthCheck: {}`), else always UP, as in Traefik where children report only to parents that want it.
 */
export function childState(child: BuiltService, propagate: boolean): CandidateState {
  const health = child.health;
  return {
    get up() {
      return !propagate || health === undefined || health.up;
    },
    inFlight: 0,
    ttfbMs: 0,
  };
}

/** Health of a parent that propagates: UP while any child is. */
export function anyUp(children: readonly { readonly state: CandidateState }[]): ServiceHealth {
  return { get up() { return children.some((child) => child.state.up); } };
}

/** `weighted` (WRR, with an optional sticky cookie) and `highestRandomWeight` services over child services. */
export function childBalancerService(
  balancer: Balancer<ChildCandidate>,
  sticky: StickyCookie<ChildCandidate> | undefined,
  health: ServiceHealth | undefined,
): BuiltService {
  const handler: Handler = (req, res, ctx) => {
    const child = pickCandidate(req, res, ctx, balancer, sticky);
    if (child === undefined) return sendStatus(res, 503, NO_AVAILABLE_SERVER);
    child.handler(req, res, ctx);
  };
  return { handler, health };
}

export interface MirrorSpec {
  readonly handler: Handler;
  readonly percent: number;
}

/**
 * `mirroring`: every request goes to the main service; a share of them (`percent`, counted exactly as Traefik's
 * total/count rule, not by chance) is also sent to each mirror once the main answer is complete, with the body
 * replayed from memory (`mirrorBody`, up to `maxBodySize`; a larger body is streamed to the main service and
 * not mirrored). Mirror answers are discarded; a client that left before the main answer ended gets no mirror.
 */
export function mirroringService(main: BuiltService, mirrors: readonly MirrorSpec[], mirrorBody: boolean, maxBodySize: number, propagate: boolean): BuiltService {
  let total = 0;
  const counts = mirrors.map(() => 0);
  const handler: Handler = (req, res, ctx) => {
    if (ctx.upgrade !== undefined) return main.handler(req, res, ctx);
    total++;
    let active: Handler[] | undefined;
    mirrors.forEach((mirror, i) => {
      if ((counts[i] ?? 0) * 100 < total * mirror.percent) {
        counts[i] = (counts[i] ?? 0) + 1;
        (active ??= []).push(mirror.handler);
      }
    });
    if (active === undefined) return main.handler(req, res, ctx);
    const targets = active;
    const mirrorAll = (body: Buffer | undefined): void => {
      for (const mirror of targets) {
        const copy = replayRequest(req, body);
        // Each mirror gets its own context: the services it goes through record themselves in it.
        const mirrorCtx: RequestContext = { ...ctx, upgrade: undefined };
        mirror(copy, discardResponse(copy), mirrorCtx);
      }
    };
    if (!mirrorBody || !hasRequestBody(req)) {
      res.once('finish', () => mirrorAll(undefined));
      return main.handler(req, res, ctx);
    }
    readBody(req, maxBodySize).then((read) => {
      if (!read.complete) {
        // Too large to mirror: the main service gets what was read, then the rest, and nothing is mirrored.
        const rest = new PassThrough();
        rest.write(read.body);
        req.pipe(rest);
        return main.handler(replayRequest(req, rest), res, ctx);
      }
      res.once('finish', () => mirrorAll(read.body));
      return main.handler(replayRequest(req, read.body), res, ctx);
    }, () => res.destroy());
  };
  return { handler, health: propagate ? main.health : undefined };
}

/** Status codes and ranges (`"500-504"`, `"404"`) as Traefik's HTTPCodeRanges. */
export type StatusRanges = ReadonlyArray<readonly [number, number]>;

/** Parses `errors.status`; returns the entry that is not a status or range on failure. */
export function parseStatusRanges(entries: readonly string[]): StatusRanges | { readonly invalid: string } {
  const ranges: Array<readonly [number, number]> = [];
  for (const entry of entries) {
    const match = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(entry);
    if (match === null) return { invalid: entry };
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (high < low) return { invalid: entry };
    ranges.push([low, high]);
  }
  return ranges;
}

export interface FailoverSpec {
  readonly main: BuiltService;
  readonly fallback: BuiltService;
  /** Whether the failover itself reports health (`healthCheck: {}`): then the fallback's health counts too. */
  readonly propagate: boolean;
  readonly errors: { readonly ranges: StatusRanges; readonly maxRequestBodyBytes: number } | undefined;
}

/**
 * `failover`: the main service while it has an UP server, else the fallback (503 when that is DOWN too). With
 * `errors.status` (Traefik 3.7) the body is kept in memory (413 past maxRequestBodyBytes) and a main answer
 * with a listed status is dropped and the request replayed on the fallback.
 */
export function failoverService(spec: FailoverSpec): BuiltService {
  const { main, fallback, errors, propagate } = spec;
  const mainUp = (): boolean => main.health?.up ?? true;
  const fallbackUp = (): boolean => !propagate || (fallback.health?.up ?? true);
  const toFallback: Handler = (req, res, ctx) => {
    if (fallbackUp()) return fallback.handler(req, res, ctx);
    sendStatus(res, 503, 'Service Unavailable');
  };
  const handler: Handler = (req, res, ctx) => {
    if (!mainUp()) return toFallback(req, res, ctx);
    if (errors === undefined || ctx.upgrade !== undefined) return main.handler(req, res, ctx);
    const body = hasRequestBody(req) ? readBody(req, errors.maxRequestBodyBytes) : Promise.resolve({ complete: true as const, body: Buffer.alloc(0) });
    body.then((read) => {
      if (!read.complete) return sendStatus(res, 413, 'Request body too large');
      const listed = (status: number): boolean => errors.ranges.some(([low, high]) => status >= low && status <= high);
      const gated = statusGate(res, listed, () => toFallback(replayRequest(req, read.body), res, ctx));
      main.handler(replayRequest(req, read.body), gated, ctx);
    }, () => res.destroy());
  };
  const health: ServiceHealth | undefined = propagate ? { get up() { return mainUp() || fallbackUp(); } } : undefined;
  return { handler, health };
}
