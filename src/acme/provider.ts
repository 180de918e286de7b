import type { DynamicConfig } from '../config/dynamic/model.js';
import { BerthError } from '../errors/berth-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { Provider, Publish } from '../providers/provider.js';
import { domainsToCertify, type RouterCertificateNeed } from './domains.js';
import { runRenewalSchedule } from './renewal.js';
import type { AcmeResolver } from './resolver.js';

/** A certificate resolver seen as a Provider, plus the entry point the lead calls with each snapshot's routers. */
export interface AcmeProvider extends Provider {
  readonly resolver: AcmeResolver;
  /** Orders what the routers using this resolver need and no certificate covers yet (reference §7.2). */
  onSnapshot(routers: readonly RouterCertificateNeed[], covered: (name: string) => boolean): void;
  /** False once the storage file could not be opened: the resolver is skipped, as Traefik skips it. */
  usable(): boolean;
}

/** The resolver's certificates as dynamic configuration: inline PEM, so nothing touches the disk twice. */
export function certificatesConfig(resolver: AcmeResolver): DynamicConfig {
  return { tls: { certificates: resolver.certificates().map((cert) => ({ certFile: cert.certPem, keyFile: cert.keyPem })) } };
}

/**
 * `<resolver>.acme`, unthrottled as in Traefik. `start` publishes the stored certificates before any network
 * call, republishes on every new or renewed certificate, and runs the renewal schedule (at start, then every
 * period of reference §7.3). An unusable storage file disables the resolver: the issue is published and logged,
 * nothing is ordered, the rest of Berth runs on.
 */
export function createAcmeProvider(resolver: AcmeResolver): AcmeProvider {
  const providerName = `${resolver.name}.acme`;
  let opened = false;
  let failed = false;
  return {
    name: providerName,
    throttled: false,
    resolver,
    async start(publish: Publish, signal: AbortSignal) {
      try {
        await resolver.open();
      } catch (err) {
        failed = true;
        const message = err instanceof Error ? err.message : String(err);
        publish({ provider: providerName, issues: [{ code: err instanceof BerthError ? err.code : ErrorCodes.ACME_STORAGE, severity: 'error', where: `certificatesResolvers.${resolver.name}.acme.storage`, message }] });
        return;
      }
      opened = true;
      const send = (): void => publish({ provider: providerName, config: certificatesConfig(resolver), issues: [] });
      send();
      const unsubscribe = resolver.subscribe(send);
      signal.addEventListener('abort', () => {
        unsubscribe();
        resolver.close();
      }, { once: true });
      void runRenewalSchedule(resolver.timing, () => resolver.checkRenewals(), signal);
    },
    usable: () => !failed,
    onSnapshot(routers, covered) {
      if (!opened) return;
      resolver.request(domainsToCertify(routers, covered).get(resolver.name) ?? []);
    },
  };
}
