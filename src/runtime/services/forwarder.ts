import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.js';
import type { RequestContext } from '../request-context.js';
import type { ForwardedHeadersPolicy } from './forward-headers.js';
import type { ForwardTarget } from './forward-target.js';
import { Http1Forwarder } from './http1-forwarder.js';
import { HttpProxyForwarder } from './http-proxy-forwarder.js';
import { UndiciForwarder } from './undici-forwarder.js';
import { UpgradeForwarder } from './upgrade-forwarder.js';
import type { UpgradeTracker } from './upgrade-tracker.js';

/**
 * Hooks a service attaches to one server, built once per generation: in-flight counting, time to first byte,
 * passive health checks. The forwarder calls `onStart` once, `onResponse` at most once, and `onEnd` exactly
 * once per forward, whatever happens.
 */
export interface ForwardObserver {
  onStart(): void;
  /** Response headers arrived `ttfbMs` after the forward started. */
  onResponse(status: number, ttfbMs: number): void;
  /**
   * The exchange is over. `status` is the server's status, or what Berth answered instead (502, 504, 500), or
   * 499 when the client left first; an upgraded connection ends with 101 when it closes.
   */
  onEnd(status: number): void;
}

/** An observer that does nothing (internal uses, tests). */
export const NO_OBSERVER: ForwardObserver = { onStart() {}, onResponse() {}, onEnd() {} };

export type ForwarderEngine = 'http1' | 'undici' | 'http-proxy';

/**
 * Sends one request to one server and streams the answer back: request and response bodies flow with
 * backpressure (nothing is buffered whole), hop-by-hop headers are dropped, X-Forwarded-* written as Traefik
 * does, failures answered with Traefik's statuses (502, 504, 500; 499 recorded when the client left), and a
 * server dying mid-response cuts the client connection. The engines behave identically (one shared test suite
 * proves it); upgrades (`ctx.upgrade`) go through http-proxy-3's WebSocket path in all of them. Berth runs
 * `http1` (its own HTTP/1.1 client on Node's native parser); `undici` and `http-proxy` are kept as measured
 * alternatives (bench/micro/forwarders.mjs), and undici carries h2c.
 *
 * Every chunk of a response is written to the client as it arrives, which is Traefik's flushInterval -1 (and
 * what it does for text/event-stream anyway): `responseForwarding.flushInterval` is accepted but Berth never
 * holds bytes back to batch them, so Server-Sent Events and long polling are never delayed.
 *
 * A Forwarder holds no connection of its own: pools belong to the TransportRegistry, upgraded connections to the
 * UpgradeTracker. It is created once at start-up and shared by every generation.
 */
export interface Forwarder {
  readonly engine: ForwarderEngine;
  /** Never throws, never leaves `res` unanswered. Sets `ctx.serverUrl`. */
  forward(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver): void;
}

export interface ForwarderDeps {
  readonly policy: ForwardedHeadersPolicy;
  readonly upgrades: UpgradeTracker;
  readonly logger: Logger;
}

/** Creates the forwarder of the chosen engine. */
export function createForwarder(engine: ForwarderEngine, deps: ForwarderDeps): Forwarder {
  const upgrades = new UpgradeForwarder(deps);
  const undici = new UndiciForwarder(deps, upgrades);
  // h2c servers always go through undici: the http1 engine and node:http (so http-proxy-3) speak only HTTP/1.1.
  if (engine === 'http1') return new Http1Forwarder(deps, upgrades, undici);
  return engine === 'undici' ? undici : new HttpProxyForwarder(deps, upgrades, undici);
}
