import { normalizeName } from '../../tls/names.js';

/** One pending HTTP-01 answer: `GET http://<domain>/.well-known/acme-challenge/<token>` returns `keyAuthorization`. */
export interface HttpChallenge {
  readonly domain: string;
  readonly token: string;
  readonly keyAuthorization: string;
}

export const HTTP_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/**
 * Pending HTTP-01 answers, queried by the HTTP entrypoint layer. The content is plain data (`entries()`), so a
 * leader process can ship it to workers; `get` is a map read.
 */
export class HttpChallengeStore {
  readonly #byToken = new Map<string, HttpChallenge>();

  set(challenge: HttpChallenge): void {
    this.#byToken.set(challenge.token, { ...challenge, domain: normalizeName(challenge.domain) });
  }

  delete(token: string): void {
    this.#byToken.delete(token);
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
