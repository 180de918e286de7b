import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import { didYouMean } from '../../util/suggest.js';
import { INVALID, createContext, type Path } from '../schema/index.js';
import { parseEntryPointAddress } from './address.js';
import { INTERNAL_ENTRYPOINT } from './api-ping-metrics-log.js';
import { entryPointSchema, type EntryPointSettings } from './entry-points.js';
import type { StaticConfigData } from './schema.js';

/** The entryPoint Traefik creates when the configuration defines none. */
export const DEFAULT_ENTRYPOINT = { name: 'http', address: ':80' } as const;
/** Where the `traefik` entryPoint listens when the API, ping or metrics need it and it is not defined. */
export const DEFAULT_INTERNAL_ADDRESS = ':8080';

/** An entryPoint with every default, as Traefik's `EntryPoint.SetDefaults` builds it. */
export function defaultEntryPoint(address: string): EntryPointSettings {
  const ctx = createContext({ flat: false, where: () => 'built-in default' });
  const value = entryPointSchema.decode({ address }, [], ctx);
  if (value === undefined || value === INVALID) throw new Error(`invalid built-in entryPoint address ${address}`);
  return value;
}

/**
 * Traefik's `SetEffectiveConfiguration`, then the cross-references a schema cannot check. Mutates `config`
 * (before it is frozen) and appends to `issues`.
 * - No entryPoint at all: `http` on `:80`.
 * - `api.insecure`, or `ping` / `metrics.prometheus` on their default entryPoint `traefik` without manualRouting:
 *   `traefik` on `:8080` when it is not defined.
 * - ping, metrics, ACME HTTP-01 and redirections must name an existing TCP entryPoint (a redirection may name a
 *   bare `:port` instead); an entryPoint's default `certResolver` must exist. Traefik finds these only at run time.
 */
export function applyEffectiveConfiguration(config: StaticConfigData, where: (path: Path) => string, issues: ConfigIssue[]): void {
  const entryPoints = config.entryPoints;
  if (Object.keys(entryPoints).length === 0) {
    entryPoints[DEFAULT_ENTRYPOINT.name] = defaultEntryPoint(DEFAULT_ENTRYPOINT.address);
  }
  const internalNeeded = config.api?.insecure === true
    || (config.ping !== undefined && !config.ping.manualRouting && config.ping.entryPoint === INTERNAL_ENTRYPOINT)
    || (config.metrics?.prometheus !== undefined && !config.metrics.prometheus.manualRouting
      && config.metrics.prometheus.entryPoint === INTERNAL_ENTRYPOINT);
  if (internalNeeded && entryPoints[INTERNAL_ENTRYPOINT] === undefined) {
    entryPoints[INTERNAL_ENTRYPOINT] = defaultEntryPoint(DEFAULT_INTERNAL_ADDRESS);
  }

  const fail = (path: Path, code: ConfigIssue['code'], message: string): void => {
    issues.push({ code, severity: 'error', where: where(path), message });
  };
  const names = Object.keys(entryPoints);
  const requireTcpEntryPoint = (name: string, path: Path, user: string): void => {
    const entryPoint = entryPoints[name];
    if (entryPoint === undefined) {
      fail(path, ErrorCodes.ENTRYPOINT_NOT_FOUND, `${user} uses entryPoint "${name}", which does not exist${didYouMean(name, names)}; entryPoints: ${names.join(', ')}`);
      return;
    }
    const address = parseEntryPointAddress(entryPoint.address);
    if (!('error' in address) && address.protocol === 'udp') {
      fail(path, ErrorCodes.INVALID_VALUE, `${user} needs a TCP entryPoint, but "${name}" listens on UDP (${entryPoint.address})`);
    }
  };

  if (config.ping !== undefined && !config.ping.manualRouting) {
    requireTcpEntryPoint(config.ping.entryPoint, ['ping', 'entryPoint'], 'ping');
  }
  const prometheus = config.metrics?.prometheus;
  if (prometheus !== undefined && !prometheus.manualRouting) {
    requireTcpEntryPoint(prometheus.entryPoint, ['metrics', 'prometheus', 'entryPoint'], 'metrics.prometheus');
  }
  for (const [resolver, settings] of Object.entries(config.certificatesResolvers)) {
    const challenge = settings.acme.httpChallenge;
    if (challenge !== undefined) {
      requireTcpEntryPoint(challenge.entryPoint, ['certificatesResolvers', resolver, 'acme', 'httpChallenge', 'entryPoint'], `certificate resolver "${resolver}" (httpChallenge)`);
    }
  }
  const resolvers = Object.keys(config.certificatesResolvers);
  for (const [name, entryPoint] of Object.entries(entryPoints)) {
    const to = entryPoint.http.redirections?.entryPoint?.to;
    const toPath = ['entryPoints', name, 'http', 'redirections', 'entryPoint', 'to'];
    if (to !== undefined) {
      const port = /^:(\d{1,5})$/.exec(to);
      if (port !== null) {
        if (Number(port[1]) < 1 || Number(port[1]) > 65535) fail(toPath, ErrorCodes.INVALID_VALUE, `"${to}" is not a port (1-65535)`);
      } else {
        requireTcpEntryPoint(to, toPath, `the redirection of entryPoint "${name}"`);
      }
    }
    const certResolver = entryPoint.http.tls?.certResolver;
    if (certResolver !== undefined && !resolvers.includes(certResolver)) {
      const known = resolvers.length === 0 ? 'no certificate resolver is defined' : `certificate resolvers: ${resolvers.join(', ')}`;
      fail(['entryPoints', name, 'http', 'tls', 'certResolver'], ErrorCodes.ACME_RESOLVER_NOT_FOUND,
        `certificate resolver "${certResolver}" does not exist${didYouMean(certResolver, resolvers)}; ${known}`);
    }
  }
}
