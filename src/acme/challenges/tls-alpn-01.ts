import { createSecureContext, type SecureContext } from 'node:tls';
import { normalizeName } from '../../tls/names.js';

/** One pending TLS-ALPN-01 certificate (RFC 8737): self-signed, SAN = the name, critical acmeIdentifier extension. */
export interface TlsAlpnChallenge {
  readonly domain: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** One change of a TlsAlpnChallengeStore, as plain data (PEM text, never a SecureContext). */
export type TlsAlpnChallengeChange = { readonly op: 'set'; readonly challenge: TlsAlpnChallenge } | { readonly op: 'delete'; readonly domain: string };

/**
 * Pending TLS-ALPN-01 certificates. The data is plain (`entries()`), so a leader can ship it to workers; the
 * SecureContext is made once per certificate when a validator first connects.
 */
export class TlsAlpnChallengeStore {
  readonly #byDomain = new Map<string, TlsAlpnChallenge>();
  readonly #contexts = new Map<string, SecureContext>();
  readonly #listeners = new Set<(change: TlsAlpnChallengeChange) => void>();

  set(challenge: TlsAlpnChallenge): void {
    const domain = normalizeName(challenge.domain);
    const stored = { ...challenge, domain };
    this.#byDomain.set(domain, stored);
    this.#contexts.delete(domain);
    for (const listener of this.#listeners) listener({ op: 'set', challenge: stored });
  }

  delete(domain: string): void {
    const name = normalizeName(domain);
    this.#contexts.delete(name);
    if (!this.#byDomain.delete(name)) return;
    for (const listener of this.#listeners) listener({ op: 'delete', domain: name });
  }

  /** Hears every `set` and `delete` (a leader relays the PEM text to its workers); returns the unsubscribe function. */
  onChange(listener: (change: TlsAlpnChallengeChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** For the TLS manager's `challengeCertificateFor` hook. */
  challengeCertificateFor(serverName: string): SecureContext | undefined {
    const domain = normalizeName(serverName);
    let context = this.#contexts.get(domain);
    if (context === undefined) {
      const challenge = this.#byDomain.get(domain);
      if (challenge === undefined) return undefined;
      context = createSecureContext({ cert: challenge.certPem, key: challenge.keyPem });
      this.#contexts.set(domain, context);
    }
    return context;
  }

  entries(): TlsAlpnChallenge[] {
    return [...this.#byDomain.values()];
  }
}
