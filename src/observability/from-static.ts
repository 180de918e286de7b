import { createWriteStream } from 'node:fs';
import type { LogConfig, StaticConfig } from '../config/static/schema.js';
import { AccessLog } from './access-log/access-log.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { PrometheusMetrics } from './metrics/prometheus.js';
import { createObservability, type Observability } from './request-observer.js';

const LEVELS: Readonly<Record<LogConfig['level'], LogLevel>> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal', PANIC: 'fatal',
};

/** The process logger from `log.{level, format, filePath}` (Traefik's levels; PANIC is pino's fatal). */
export function loggerFrom(config: LogConfig, options: { readonly sync?: boolean } = {}): Logger {
  const destination = config.filePath === undefined ? undefined : createWriteStream(config.filePath, { flags: 'a' });
  return createLogger({ level: LEVELS[config.level], format: config.format, ...(destination === undefined ? {} : { destination }), ...(options.sync === undefined ? {} : { sync: options.sync }) });
}

/** The access log, the metrics registry and the per-request observability built from them. */
export interface ObservabilityParts {
  readonly accessLog: AccessLog | undefined;
  readonly metrics: PrometheusMetrics | undefined;
  readonly observability: Observability;
}

/**
 * `accessLog` and `metrics.prometheus` from static configuration. Opening the access log file can fail
 * (permissions): that is a start-up error, thrown as a BerthError.
 */
export function observabilityFrom(config: StaticConfig, logger: Logger, stdout?: NodeJS.WritableStream): ObservabilityParts {
  const accessLog = config.accessLog === undefined ? undefined : new AccessLog(config.accessLog, { logger: logger.child({ component: 'accesslog' }), ...(stdout === undefined ? {} : { stdout }) });
  const prometheus = config.metrics?.prometheus;
  const metrics = prometheus === undefined ? undefined : new PrometheusMetrics({
    buckets: prometheus.buckets,
    addEntryPointsLabels: prometheus.addEntryPointsLabels,
    addRoutersLabels: prometheus.addRoutersLabels,
    addServicesLabels: prometheus.addServicesLabels,
    headerLabels: prometheus.headerLabels,
    addInternals: config.metrics?.addInternals ?? false,
  });
  const observability = createObservability({
    ...(accessLog === undefined ? {} : { accessLog, accessLogInternals: config.accessLog?.addInternals ?? false }),
    ...(metrics === undefined ? {} : { metrics }),
  });
  return { accessLog, metrics, observability };
}
