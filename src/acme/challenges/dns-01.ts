import { Resolver } from 'node:dns/promises';
import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { sleep } from '../../util/abort.js';
import type { DnsChallengeRecord, DnsProvider } from '../dns-providers/dns-provider.js';

export interface PropagationSettings {
  /** `dnsChallenge.resolvers`: `ip` or `ip:port`; none means the system's resolvers. */
  readonly resolvers: readonly string[];
  readonly delayBeforeChecksMs: number;
  readonly disableChecks: boolean;
  /** `requireAllRNS`: every resolver must see the record, not just one. */
  readonly requireAll: boolean;
}

/** `_acme-challenge.<domain>.` for a name or wildcard (`*.x.test` is validated as `x.test`). */
export function challengeFqdn(domain: string): string {
  return `_acme-challenge.${domain.replace(/^\*\./, '').replace(/\.$/, '')}.`;
}

async function sees(resolver: Resolver, fqdn: string, value: string): Promise<boolean> {
  try {
    const records = await resolver.resolveTxt(fqdn);
    return records.some((chunks) => chunks.join('') === value);
  } catch {
    return false;
  }
}

/**
 * Waits until the TXT record is visible, as lego's propagation check does: `delayBeforeChecks` first, then polls
 * the configured resolvers every `pollingIntervalMs` up to the provider's propagation timeout. lego asks the
 * zone's authoritative servers; Berth asks the resolvers given (or the system's), which is what `resolvers`
 * is for and what works behind split-horizon DNS.
 */
export async function waitForPropagation(record: DnsChallengeRecord, provider: DnsProvider, settings: PropagationSettings, signal: AbortSignal): Promise<void> {
  if (settings.delayBeforeChecksMs > 0 && !(await sleep(settings.delayBeforeChecksMs, signal))) return;
  if (settings.disableChecks) return;
  const resolvers = (settings.resolvers.length === 0 ? [undefined] : settings.resolvers).map((server) => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    if (server !== undefined) resolver.setServers([server]);
    return resolver;
  });
  const deadline = Date.now() + provider.propagationTimeoutMs;
  for (;;) {
    const results = await Promise.all(resolvers.map((resolver) => sees(resolver, record.fqdn, record.value)));
    if (settings.requireAll ? results.every(Boolean) : results.some(Boolean)) return;
    if (Date.now() + provider.pollingIntervalMs > deadline) {
      throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `the TXT record ${record.fqdn} did not propagate within ${Math.round(provider.propagationTimeoutMs / 1000)} s (resolvers: ${settings.resolvers.join(', ') || 'system'})`);
    }
    if (!(await sleep(provider.pollingIntervalMs, signal))) return;
  }
}
