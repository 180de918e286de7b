import { createHmac, randomBytes } from 'node:crypto';

const MAX_ENTRIES = 1024;
const TTL_MS = 10 * 60_000;

/**
 * Remembers credentials that were verified recently, so that a slow hash (bcrypt costs tens of milliseconds
 * of CPU) is computed once per user and password, not on every request of a page and its assets. Entries are
 * HMACs under a key that lives only in memory and dies with the RuntimeGraph; only successes are kept, so a
 * guess always pays the full hash. Concurrent checks of the same credentials share one computation, as
 * Traefik's singleflight does.
 */
export class VerifiedCredentials {
  readonly #key = randomBytes(32);
  readonly #verified = new Map<string, number>();
  readonly #pending = new Map<string, Promise<boolean>>();

  /** Resolves whether `user`/`password` are valid, using `verify` when they are not known to be. */
  check(user: string, password: Buffer, verify: () => Promise<boolean>): Promise<boolean> {
    const id = createHmac('sha256', this.#key).update(user).update('\0').update(password).digest('base64');
    const expires = this.#verified.get(id);
    if (expires !== undefined) {
      if (expires > Date.now()) return Promise.resolve(true);
      this.#verified.delete(id);
    }
    const pending = this.#pending.get(id);
    if (pending !== undefined) return pending;
    const result = verify().then((ok) => {
      this.#pending.delete(id);
      if (ok) this.#remember(id);
      return ok;
    }, (err: unknown) => {
      this.#pending.delete(id);
      throw err;
    });
    this.#pending.set(id, result);
    return result;
  }

  #remember(id: string): void {
    if (this.#verified.size >= MAX_ENTRIES) {
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    this.#verified.set(id, Date.now() + TTL_MS);
  }
}
