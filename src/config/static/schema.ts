import { ErrorCodes } from '../../errors/codes.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import {
  INVALID, always, describeRaw, duration, obj, optional, report, str, withDefault, type Infer, type Schema,
} from '../schema/index.js';
import { checkHostPort } from './address.js';
import { accessLogSchema, apiSchema, logSchema, metricsSchema, pingSchema } from './api-ping-metrics-log.js';
import { certificateResolversSchema } from './certificate-resolvers.js';
import { entryPointsSchema } from './entry-points.js';
import { dockerProviderSchema, fileProviderSchema } from './providers.js';
import { staticServersTransportSchema, staticTcpServersTransportSchema } from './servers-transport.js';
import { unsupportedKeys } from './unsupported.js';

/** Berth's provider section: Docker and file; Traefik's other providers are accepted with a warning. */
const providersSchema = obj({
  providersThrottleDuration: withDefault(duration({ min: 0 }), 2_000),
  docker: optional(dockerProviderSchema),
  file: optional(fileProviderSchema),
  ...unsupportedKeys([
    'swarm', 'kubernetesIngress', 'kubernetesIngressNGINX', 'kubernetesCRD', 'kubernetesGateway', 'knative', 'rest',
    'consulCatalog', 'nomad', 'ecs', 'consul', 'etcd', 'zooKeeper', 'redis', 'http', 'plugin', 'precedence',
  ], 'Berth reads the Docker and file providers only'),
});

/** How many processes serve traffic: a number, or "auto" for one per CPU core. */
export type WorkersSetting = number | 'auto';

/**
 * `workers` (Berth only): `"auto"` (the default) starts one worker process per CPU core (capped by a container's
 * CPU quota, process/worker-count.ts), a number starts that many, and 0 runs everything in a single process (no
 * workers). Accepts an integer >= 0 or "auto".
 */
const workersSchema: Schema<WorkersSetting> = {
  kind: 'an integer >= 0 or "auto"',
  decode(raw, path, ctx) {
    if (raw === undefined || raw === null) return undefined;
    const text = typeof raw === 'object' ? '' : String(raw).trim();
    if (text.toLowerCase() === 'auto') return 'auto';
    if (typeof raw !== 'boolean' && /^\d+$/.test(text)) return Number(text);
    report(ctx, path, ErrorCodes.INVALID_VALUE, `expected an integer >= 0 or "auto", got ${describeRaw(raw)}`);
    return INVALID;
  },
};

/**
 * `demo` (Berth only): built-in helpers for trying Berth without any backend. `demo.whoami.address` starts
 * Berth's whoami server on that `host:port`; the embedded default configuration sets it.
 */
const demoSchema = obj({
  whoami: optional(obj({ address: str({ nonEmpty: true, check: checkHostPort }) })),
});

/**
 * Berth's static configuration: Traefik v3's keys and defaults (reference §1.1-1.6, §8), plus `workers` and
 * `demo`. Sections Traefik has but Berth does not implement are accepted with a warning; unknown keys are errors.
 */
export const staticConfigSchema = obj({
  entryPoints: always(entryPointsSchema),
  providers: always(providersSchema),
  serversTransport: always(staticServersTransportSchema),
  tcpServersTransport: always(staticTcpServersTransportSchema),
  api: optional(apiSchema),
  ping: optional(pingSchema),
  metrics: optional(metricsSchema),
  log: always(logSchema),
  accessLog: optional(accessLogSchema),
  certificatesResolvers: always(certificateResolversSchema),
  workers: withDefault(workersSchema, 'auto'),
  demo: optional(demoSchema),
  ...unsupportedKeys(['global', 'experimental', 'tracing', 'hostResolver', 'core', 'spiffe', 'ocsp']),
});

/** The decoded static configuration before freezing. */
export type StaticConfigData = Infer<typeof staticConfigSchema>;

/** The static configuration as the rest of Berth sees it: validated, defaulted and deep-frozen. */
export type StaticConfig = DeepReadonly<StaticConfigData>;
export type EntryPointConfig = StaticConfig['entryPoints'][string];
export type ApiConfig = NonNullable<StaticConfig['api']>;
export type PingConfig = NonNullable<StaticConfig['ping']>;
export type PrometheusConfig = NonNullable<NonNullable<StaticConfig['metrics']>['prometheus']>;
export type LogConfig = StaticConfig['log'];
export type AccessLogConfig = NonNullable<StaticConfig['accessLog']>;
export type ProvidersConfig = StaticConfig['providers'];
export type ServersTransportStaticConfig = StaticConfig['serversTransport'];
export type TcpServersTransportStaticConfig = StaticConfig['tcpServersTransport'];
