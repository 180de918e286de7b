import { normalizeName } from '../../tls/names.js';

/** One pending HTTP-01 answer: `GET http://<domain>/.well-known/acme-challenge/<token>` returns `keyAuthorization`. */
export interface HttpChallenge {
  readonly domain: string;
  readonly token: string;
  readonly keyAuthorization: string;
}

/** One change of an HttpChallengeStore, as plain data. */
export type HttpChallengeChange = { readonly op: 'set'; readonly challenge: HttpChallenge } | { readonly op: 'delete'; readonly token: string };

export const HTTP_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/**
 * Pending HTTP-01 answers, queried by the HTTP entrypoint layer. The content is plain data (`entries()`), so a
 * leader process can ship it to workers; `get` is a map read.
 */
export class HttpChallengeStore {
  readonly #byToken = new Map<string, HttpChallenge>();
  readonly #listeners = new Set<(change: HttpChallengeChange) => void>();

  set(challenge: HttpChallenge): void {
    const stored = { ...challenge, domain: normalizeName(challenge.domain) };
    this.#byToken.set(challenge.token, stored);
    for (const listener of this.#listeners) listener({ op: 'set', challenge: stored });
  }

  delete(token: string): void {
    if (!this.#byToken.delete(token)) return;
    for (const listener of this.#listeners) listener({ op: 'delete', token });
  }

  /** Hears every `set` and `delete` (a leader relays them to its workers); returns the unsubscribe function. */
  onChange(listener: (change: HttpChallengeChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * The key authorization for a token, or undefined. With `host` (the request's Host without port), the
   * token must also belong to that domain, as Traefik checks.
   */
  get(token: string, host?: string): string | undefined {
    const challenge = this.#byToken.get(token);
    if (challenge === undefined) return undefined;
    if (host !== undefined && normalizeName(host) !== challenge.domain) return undefined;
    return challenge.keyAuthorization;
  }

  entries(): HttpChallenge[] {
    return [...this.#byToken.values()];
  }
}
