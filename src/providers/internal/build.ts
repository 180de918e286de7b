import type { DynamicConfig, HttpRouterConfig, MiddlewareConfig } from '../../config/dynamic/model.js';

/**
 * Priorities of Berth's own routers. Traefik uses MaxInt64, MaxInt64-1 and MaxInt64-2, which a JavaScript number
 * cannot tell apart; the largest safe integers keep the same order, and compile caps user priorities below them.
 */
export const INTERNAL_PRIORITY = {
  highest: Number.MAX_SAFE_INTEGER,
  api: Number.MAX_SAFE_INTEGER - 1,
  dashboard: Number.MAX_SAFE_INTEGER - 2,
} as const;

/** The static settings that produce internal routers, already resolved by the caller. */
export interface InternalSettings {
  readonly api?: { readonly insecure: boolean; readonly dashboard: boolean };
  readonly ping?: { readonly entryPoint: string; readonly manualRouting: boolean };
  readonly metrics?: { readonly entryPoint: string; readonly manualRouting: boolean };
  /** `entryPoints.<from>.http.redirections.entryPoint`, with `to` resolved to an entrypoint name and its port. */
  readonly redirections: ReadonlyArray<{
    readonly from: string;
    readonly to: string;
    readonly port: number;
    readonly scheme: string;
    readonly permanent: boolean;
    readonly priority: number;
  }>;
  /** Entrypoints that answer ACME HTTP-01 challenges (`httpChallenge.entryPoint` of each resolver). */
  readonly acmeHttpChallenge: readonly string[];
}

/**
 * The internal provider's configuration: Berth's own endpoints as ordinary routers (reference §1.2, §1.5, §7.1),
 * so they show in the API and follow the same rules as any router. Names are unqualified; the watcher adds
 * `@internal`. Services named here (`api`, `dashboard`, `ping`, `prometheus`, `noop`, `acme-http`) are
 * internal handlers that compile resolves by name.
 */
export function buildInternalConfig(settings: InternalSettings): DynamicConfig {
  const routers: Record<string, HttpRouterConfig> = {};
  const middlewares: Record<string, MiddlewareConfig> = {};

  if (settings.ping !== undefined && !settings.ping.manualRouting) {
    routers['ping'] = { rule: 'PathPrefix(`/ping`)', entryPoints: [settings.ping.entryPoint], service: 'ping', priority: INTERNAL_PRIORITY.highest };
  }
  if (settings.metrics !== undefined && !settings.metrics.manualRouting) {
    routers['prometheus'] = { rule: 'PathPrefix(`/metrics`)', entryPoints: [settings.metrics.entryPoint], service: 'prometheus', priority: INTERNAL_PRIORITY.highest };
  }
  if (settings.api?.insecure === true) {
    routers['api'] = { rule: 'PathPrefix(`/api`)', entryPoints: ['traefik'], service: 'api', priority: INTERNAL_PRIORITY.api };
    if (settings.api.dashboard) {
      routers['dashboard'] = {
        rule: 'PathPrefix(`/`)',
        entryPoints: ['traefik'],
        service: 'dashboard',
        middlewares: ['dashboard_redirect', 'dashboard_stripprefix'],
        priority: INTERNAL_PRIORITY.dashboard,
      };
      // As Traefik: `/` redirects to `/dashboard/`, and the dashboard's assets are served without the prefix.
      middlewares['dashboard_redirect'] = {
        redirectRegex: { regex: '^(http:\\/\\/(\\[[\\w:.]+\\]|[\\w\\._-]+)(:\\d+)?)\\/$', replacement: '${1}/dashboard/', permanent: true },
      };
      middlewares['dashboard_stripprefix'] = { stripPrefix: { prefixes: ['/dashboard/', '/dashboard'] } };
    }
  }
  for (const redirect of settings.redirections) {
    const name = `${redirect.from}-to-${redirect.to}`;
    routers[name] = {
      rule: 'HostRegexp(`^.+$`)',
      entryPoints: [redirect.from],
      middlewares: [`redirect-${name}`],
      service: 'noop',
      priority: Math.min(redirect.priority, INTERNAL_PRIORITY.api),
    };
    middlewares[`redirect-${name}`] = {
      redirectScheme: { scheme: redirect.scheme, port: String(redirect.port), permanent: redirect.permanent },
    };
  }
  for (const entryPoint of settings.acmeHttpChallenge) {
    routers[settings.acmeHttpChallenge.length === 1 ? 'acme-http' : `acme-http-${entryPoint}`] = {
      rule: 'PathPrefix(`/.well-known/acme-challenge/`)',
      entryPoints: [entryPoint],
      service: 'acme-http',
      priority: INTERNAL_PRIORITY.highest,
    };
  }
  return { http: { routers, middlewares } };
}
