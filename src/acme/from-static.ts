import type { SecureContext } from 'node:tls';
import type { StaticConfig } from '../config/static/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Environment } from './dns-providers/dns-provider.js';
import { createAcmeProvider, type AcmeProvider } from './provider.js';
import { createAcmeResolver } from './resolver.js';

/**
 * Test-only knobs, read from the environment because the static configuration has no such keys (Traefik has
 * none either). They change timing only, never what is ordered or served:
 * - `BERTHTEST_ACME_RENEWAL_CHECK_MS`: how often the renewal schedule looks (Traefik: from certificatesDuration,
 *   one minute at the shortest), so an end-to-end test sees a renewal without waiting that long;
 * - `BERTHTEST_ACME_POLL_MS`: how often order and challenge states are polled (default 2 s).
 * The `BERTHTEST_` prefix keeps them clear of `BERTH_*`, which is static configuration.
 */
export const TEST_KNOBS = { renewalCheckMs: 'BERTHTEST_ACME_RENEWAL_CHECK_MS', pollMs: 'BERTHTEST_ACME_POLL_MS' } as const;

function positive(value: string | undefined): number | undefined {
  const parsed = value === undefined ? NaN : Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}

/** One ACME provider (its resolver inside) per `certificatesResolvers.<name>.acme`, in configuration order. */
export function acmeProvidersFrom(config: StaticConfig, options: { readonly logger: Logger; readonly env: Environment }): AcmeProvider[] {
  const renewalCheckEveryMs = positive(options.env[TEST_KNOBS.renewalCheckMs]);
  const pollIntervalMs = positive(options.env[TEST_KNOBS.pollMs]);
  return Object.entries(config.certificatesResolvers).map(([name, resolver]) => createAcmeProvider(createAcmeResolver({
    name,
    settings: resolver.acme,
    logger: options.logger,
    env: options.env,
    ...(renewalCheckEveryMs === undefined ? {} : { renewalCheckEveryMs }),
    ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
  })));
}

/** TLS-ALPN-01 (the TLS manager's hook): the pending challenge certificate for a name, from the resolver holding it. */
export function tlsAlpnChallenges(providers: readonly AcmeProvider[]): (serverName: string) => SecureContext | undefined {
  return (serverName) => {
    for (const provider of providers) {
      const context = provider.resolver.tlsChallenges.challengeCertificateFor(serverName);
      if (context !== undefined) return context;
    }
    return undefined;
  };
}
