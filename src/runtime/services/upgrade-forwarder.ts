import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import type { NormalizedServerOptions } from 'http-proxy-3/dist/lib/http-proxy/index.js';
import { WS_PASSES } from 'http-proxy-3/dist/lib/http-proxy/passes/ws-incoming.js';
import type { Logger } from '../../observability/logger.js';
import type { RequestContext } from '../request-context.js';
import { answerForwardError, STATUS_CLIENT_CLOSED, statusForError } from './forward-errors.js';
import { isWebSocketRequest, upstreamRequestHeaders } from './forward-headers.js';
import { upstreamPath, type ForwardTarget } from './forward-target.js';
import { withOutgoingRequest } from './outgoing-request.js';
import type { ForwardObserver, ForwarderDeps } from './forwarder.js';
import type { UpgradeTracker } from './upgrade-tracker.js';

interface PendingUpgrade {
  /** Bound to the client socket: it carries the status for access logs and metrics (101 once upgraded). */
  readonly res: ServerResponse;
  readonly observer: ForwardObserver;
  readonly startedAt: number;
  /** The client left before the server answered: nothing more is written to its socket. */
  gone: boolean;
}

/**
 * Forwards upgrade requests (WebSocket, and any other `Upgrade:` protocol) with http-proxy-3's WebSocket pass,
 * for both engines. Its `stream` pass is called directly: the library's own checks would drop non-WebSocket
 * upgrades silently and its X-Forwarded handling is not Traefik's (headers are computed by Berth instead).
 *
 * Nothing here belongs to a generation: the upgrade agent has no keep-alive (the socket leaves it once
 * upgraded), and the piped sockets are registered with the UpgradeTracker, so a reload that replaces the
 * service leaves the connection running and graceful shutdown can still close it.
 */
export class UpgradeForwarder {
  readonly #server: ProxyServer;
  readonly #tracker: UpgradeTracker;
  readonly #logger: Logger;
  readonly #deps: ForwarderDeps;
  readonly #pending = new WeakMap<IncomingMessage, PendingUpgrade>();

  constructor(deps: ForwarderDeps) {
    this.#deps = deps;
    this.#tracker = deps.upgrades;
    this.#logger = deps.logger;
    this.#server = new ProxyServer();
    // The pass reports failures through the callback; this listener only keeps an unexpected emit from throwing.
    this.#server.on('error', (err) => this.#logger.debug({ err }, 'upgrade forwarding error'));
    this.#server.on('proxyReqWs', (proxyReq: ClientRequest, req: IncomingMessage, socket: Socket) => this.#watch(proxyReq, req, socket));
  }

  forward(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver): void {
    const upgrade = ctx.upgrade;
    if (upgrade === undefined) return;
    observer.onStart();
    const pending: PendingUpgrade = { res, observer, startedAt: performance.now(), gone: false };
    this.#pending.set(req, pending);
    const headers = upstreamRequestHeaders(req, ctx, target, this.#deps.policy);
    const options: NormalizedServerOptions = {
      target: new URL(target.pool.origin),
      agent: target.pool.upgradeAgent,
      toProxy: true,
      prependPath: false,
      xfwd: false,
    };
    let failed = false;
    const onError = (err: Error): void => {
      if (failed || pending.gone) return;
      failed = true;
      const status = statusForError(err);
      this.#logger.debug({ err, serviceName: ctx.serviceName, serverUrl: target.url, status }, 'upgrade forwarding failed');
      // `res` is bound to the raw socket: the status line reaches the client before http-proxy-3 closes it.
      answerForwardError(res, status);
      this.#finish(req, status);
    };
    withOutgoingRequest(req, headers, upstreamPath(req.url ?? '/', target), () => {
      try {
        WS_PASSES.stream(req, upgrade.socket as Socket, options, upgrade.head, this.#server, onError);
      } catch (err) {
        onError(err as Error);
      }
    });
  }

  #watch(proxyReq: ClientRequest, req: IncomingMessage, socket: Duplex): void {
    const pending = this.#pending.get(req);
    if (pending === undefined) return;
    let status = 0;
    // Until the server answers, the client socket is read here: otherwise a client that leaves (a FIN on a
    // socket nobody reads) would go unnoticed and the upstream handshake would wait forever. Whatever arrives
    // early is put back before http-proxy-3 pipes the sockets (its 'upgrade' listener runs after this one).
    const early: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      early.push(chunk);
    };
    const onGone = (): void => {
      if (status !== 0) return;
      pending.gone = true;
      proxyReq.destroy();
      socket.destroy();
      this.#finish(req, STATUS_CLIENT_CLOSED);
    };
    socket.on('data', onData);
    socket.once('end', onGone);
    socket.once('close', () => {
      onGone();
      this.#finish(req, status === 0 ? STATUS_CLIENT_CLOSED : status);
    });
    proxyReq.once('upgrade', (_res: IncomingMessage, upstream: Duplex) => {
      status = 101;
      pending.res.statusCode = 101;
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.pause();
      for (const chunk of early.reverse()) socket.unshift(chunk);
      pending.observer.onResponse(101, performance.now() - pending.startedAt);
      this.#tracker.add(socket, upstream, isWebSocketRequest(req.headers));
    });
    proxyReq.once('response', (response: IncomingMessage) => {
      // The server refused the upgrade and answered plainly; http-proxy-3 relays that answer and closes.
      status = response.statusCode ?? 502;
      pending.res.statusCode = status;
      pending.observer.onResponse(status, performance.now() - pending.startedAt);
    });
  }

  #finish(req: IncomingMessage, status: number): void {
    const pending = this.#pending.get(req);
    if (pending === undefined) return;
    this.#pending.delete(req);
    pending.observer.onEnd(status);
  }
}
