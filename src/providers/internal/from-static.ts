import { parseEntryPointAddress } from '../../config/static/address.js';
import type { StaticConfig } from '../../config/static/schema.js';
import type { InternalSettings } from './build.js';

/** What the internal provider needs from static configuration (validated, so references exist). */
export function internalSettingsFrom(config: StaticConfig): InternalSettings {
  const redirections: Array<InternalSettings['redirections'][number]> = [];
  for (const [from, entryPoint] of Object.entries(config.entryPoints)) {
    const redirect = entryPoint.http.redirections?.entryPoint;
    if (redirect === undefined) continue;
    // `to` is an entrypoint name or a bare `:port`, as in Traefik.
    const target = redirect.to.startsWith(':') ? undefined : config.entryPoints[redirect.to];
    const address = target === undefined ? undefined : parseEntryPointAddress(target.address);
    const port = address !== undefined && !('error' in address) ? address.port : Number(redirect.to.slice(1));
    redirections.push({ from, to: redirect.to.startsWith(':') ? `port-${port}` : redirect.to, port, scheme: redirect.scheme, permanent: redirect.permanent, priority: redirect.priority });
  }
  const acmeHttpChallenge = [...new Set(Object.values(config.certificatesResolvers).flatMap((resolver) => (resolver.acme.httpChallenge === undefined ? [] : [resolver.acme.httpChallenge.entryPoint])))];
  return {
    ...(config.api === undefined ? {} : { api: { insecure: config.api.insecure, dashboard: config.api.dashboard } }),
    ...(config.ping === undefined ? {} : { ping: { entryPoint: config.ping.entryPoint, manualRouting: config.ping.manualRouting } }),
    ...(config.metrics?.prometheus === undefined ? {} : { metrics: { entryPoint: config.metrics.prometheus.entryPoint, manualRouting: config.metrics.prometheus.manualRouting } }),
    redirections,
    acmeHttpChallenge,
  };
}
