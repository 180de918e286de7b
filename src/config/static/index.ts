/**
 * Berth's static configuration: Traefik v3's keys and defaults, read from a YAML file, BERTH_/TRAEFIK_ environment
 * variables and CLI flags (merged: flags > environment > file), validated once and deep-frozen.
 */
export { loadStaticConfig, DEFAULT_CONFIG_FILES } from './load.js';
export type { StaticConfigInput, StaticConfigResult, StaticConfigSource } from './load.js';
export { staticConfigSchema } from './schema.js';
export type {
  StaticConfig, StaticConfigData, EntryPointConfig, WorkersSetting, ApiConfig, PingConfig, PrometheusConfig, LogConfig,
  AccessLogConfig, ProvidersConfig, ServersTransportStaticConfig, TcpServersTransportStaticConfig,
} from './schema.js';
export { parseEntryPointAddress, type EntryPointAddress } from './address.js';
export { MAX_PRIORITY, REDIRECTION_PRIORITY } from './entry-points.js';
export { INTERNAL_ENTRYPOINT, LOG_LEVELS, type StaticLogLevel } from './api-ping-metrics-log.js';
export { DEFAULT_ENTRYPOINT, DEFAULT_INTERNAL_ADDRESS } from './effective.js';
export {
  EMBEDDED_DYNAMIC_PATH, EMBEDDED_DYNAMIC_YAML, EMBEDDED_WHOAMI_ADDRESS, embeddedDynamicFile, embeddedStaticYaml,
} from './embedded-default.js';
export type { DockerProviderSettings, FileProviderSettings } from './providers.js';
export type { AcmeResolverSettings, CertificateResolversSettings } from './certificate-resolvers.js';
