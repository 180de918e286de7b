import type { StaticConfig } from '../config/static/schema.js';
import type { HttpChallengeChange, HttpChallenge } from '../acme/challenges/http-01.js';
import type { TlsAlpnChallengeChange, TlsAlpnChallenge } from '../acme/challenges/tls-alpn-01.js';
import type { Snapshot } from '../config/dynamic/snapshot.js';
import type { GeneratedCertificate } from '../tls/default-certificate.js';

/**
 * The IPC messages between the leader and its workers. Everything is plain data: the channel uses Node's
 * "advanced" serialization (structured clone), so Maps and Sets survive, functions and SecureContexts never
 * cross (TLS-ALPN-01 certificates travel as PEM text and each worker builds its own context).
 */

/**
 * Where the leader's private server (the API's Unix socket) answers a Prometheus scrape with every worker's
 * metrics merged; a worker's `prometheus@internal` relays scrapes there, whatever public path routed them.
 */
export const LEADER_METRICS_PATH = '/berth-leader/metrics';

/** `url -> up` for every server the leader knows, from its ServerStateRegistry. */
export type HealthTable = ReadonlyArray<readonly [url: string, up: boolean]>;

/** What a new worker needs before it can serve: sent once, right after it is forked. */
export interface InitMessage {
  readonly type: 'init';
  readonly workerId: number;
  /**
   * The leader's static configuration. A worker does not read files or the environment itself: a replacement
   * started after berth.yml was edited must run what the leader runs, not the edit.
   */
  readonly config: StaticConfig;
  /** The leader's generated default certificate, so every worker presents the same one. */
  readonly defaultCertificate: GeneratedCertificate;
  /** Where the leader serves the API (a Unix socket path); `api@internal` in workers forwards there. */
  readonly apiSocket: string;
  /** The full current state, so a replacement worker starts where the others are. */
  readonly snapshot: Snapshot | undefined;
  readonly health: HealthTable;
  readonly httpChallenges: readonly HttpChallenge[];
  readonly tlsChallenges: readonly TlsAlpnChallenge[];
}

export type LeaderMessage =
  | InitMessage
  /** A new snapshot, with the health table as it stands once the leader compiled it. */
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot; readonly health: HealthTable }
  | { readonly type: 'health'; readonly url: string; readonly up: boolean }
  | { readonly type: 'http-challenge'; readonly change: HttpChallengeChange }
  | { readonly type: 'tls-challenge'; readonly change: TlsAlpnChallengeChange }
  /** Prometheus: this worker's exposition text, answered with `metrics` and the same id. */
  | { readonly type: 'metrics-request'; readonly id: number }
  | { readonly type: 'reopen-access-log' }
  /** Graceful shutdown (drain with graceTimeOut), then exit 0. */
  | { readonly type: 'shutdown' };

export type WorkerMessage =
  /** The worker listens for messages: the leader answers with `init`. */
  | { readonly type: 'hello' }
  /** Every entrypoint listens: name -> port actually bound. */
  | { readonly type: 'listening'; readonly ports: Readonly<Record<string, number>> }
  /** An entrypoint could not listen (EADDRINUSE...): start-up fails with this error. */
  | { readonly type: 'listen-failed'; readonly code: string | undefined; readonly message: string }
  | { readonly type: 'applied'; readonly generation: number }
  | { readonly type: 'metrics'; readonly id: number; readonly text: string };

/** Whether an IPC payload looks like a message of this protocol (cluster also sends its own internal ones). */
export function isMessage<T extends { readonly type: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
