import type { IncomingMessage } from 'node:http';

/**
 * How the retry middleware learns that a failure happened on the way to the backend. The forwarding service
 * reports on the request it was given: `reached()` when the request arrives at the proxy layer, `sent()` once
 * its headers were written to a backend connection. A failure after `reached()` and before `sent()` (refused
 * connection, DNS, TLS handshake) is safe to retry for any method: the backend never saw the request.
 * (Traefik does the same with httptrace.ClientTrace hooks.)
 */
export interface UpstreamAttempt {
  reached(): void;
  sent(): void;
}

const attempts = new WeakMap<IncomingMessage, UpstreamAttempt>();

/** For the forwarding service: the attempt to report on, when a retry middleware is watching this request. */
export function upstreamAttemptOf(req: IncomingMessage): UpstreamAttempt | undefined {
  return attempts.get(req);
}

/** For the retry middleware: watches `req` and returns what the forwarding service reported. */
export function watchUpstream(req: IncomingMessage): { readonly reached: boolean; readonly sent: boolean } {
  const state = { reached: false, sent: false };
  attempts.set(req, {
    reached: () => {
      state.reached = true;
    },
    sent: () => {
      state.sent = true;
    },
  });
  return state;
}
