import { createSecureContext, type SecureContext } from 'node:tls';
import { normalizeName } from '../../tls/names.js';

/** One pending TLS-ALPN-01 certificate (RFC 8737): self-signed, SAN = the name, critical acmeIdentifier extension. */
export interface TlsAlpnChallenge {
  readonly domain: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Pending TLS-ALPN-01 certificates. The data is plain (`entries()`), so a leader can ship it to workers; the
 * SecureContext is made once per certificate when a validator first connects.
 */
export class TlsAlpnChallengeStore {
  readonly #byDomain = new Map<string, TlsAlpnChallenge>();
  readonly #contexts = new Map<string, SecureContext>();

  set(challenge: TlsAlpnChallenge): void {
    const domain = normalizeName(challenge.domain);
    this.#byDomain.set(domain, { ...challenge, domain });
    this.#contexts.delete(domain);
  }

  delete(domain: string): void {
    this.#byDomain.delete(normalizeName(domain));
    this.#contexts.delete(normalizeName(domain));
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
