import { always, bool, duration, int, list, map, num, obj, oneOf, optional, str, withDefault, type Infer } from '../schema/index.js';
import { unsupported, unsupportedKeys } from './unsupported.js';

/** The entryPoint Traefik creates for the API, ping and metrics when they are not routed manually. */
export const INTERNAL_ENTRYPOINT = 'traefik';

const off = () => withDefault(bool(), false);
const on = () => withDefault(bool(), true);

/** `api` (reference §1.5); absent means no API. `insecure` serves it on the `traefik` entryPoint. */
export const apiSchema = obj({
  insecure: off(),
  dashboard: on(),
  debug: off(),
  // Traefik rejects a base path that is not absolute ("API basePath must be a valid absolute path").
  basePath: withDefault(str({ check: (value) => (value.startsWith('/') ? undefined : `"${value}" must be an absolute path such as "/" or "/traefik"`) }), '/'),
  disableDashboardAd: off(),
}, { allowEmpty: true });
export type ApiSettings = Infer<typeof apiSchema>;

/** `ping`; absent means no `/ping`. `terminatingStatusCode` is answered during graceful shutdown. */
export const pingSchema = obj({
  entryPoint: withDefault(str({ nonEmpty: true }), INTERNAL_ENTRYPOINT),
  manualRouting: off(),
  terminatingStatusCode: withDefault(int({ min: 100, max: 599 }), 503),
}, { allowEmpty: true });
export type PingSettings = Infer<typeof pingSchema>;

export const prometheusSchema = obj({
  entryPoint: withDefault(str({ nonEmpty: true }), INTERNAL_ENTRYPOINT),
  manualRouting: off(),
  buckets: withDefault(list(num({ min: 0 })), [0.1, 0.3, 1.2, 5.0]),
  addEntryPointsLabels: on(),
  addRoutersLabels: off(),
  addServicesLabels: on(),
  // Metric label name -> request header whose value fills it.
  headerLabels: optional(map(str({ nonEmpty: true }))),
}, { allowEmpty: true });
export type PrometheusSettings = Infer<typeof prometheusSchema>;

/** `metrics`: Prometheus only; Traefik's other backends are accepted with a warning. */
export const metricsSchema = obj({
  addInternals: off(),
  prometheus: optional(prometheusSchema),
  ...unsupportedKeys(['datadog', 'statsD', 'influxDB2', 'otlp'], 'Berth exports Prometheus metrics only'),
}, { allowEmpty: true });
export type MetricsSettings = Infer<typeof metricsSchema>;

/** Traefik's log levels, most verbose first; matched case-insensitively. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC'] as const;
export type StaticLogLevel = (typeof LOG_LEVELS)[number];

/** `log`: always present, level ERROR by default as in Traefik. */
export const logSchema = obj({
  level: withDefault(oneOf(LOG_LEVELS), 'ERROR'),
  format: withDefault(oneOf(['common', 'json']), 'common'),
  filePath: optional(str({ nonEmpty: true })),
  noColor: off(),
  ...unsupportedKeys(['maxSize', 'maxAge', 'maxBackups', 'compress'], 'rotate log files with logrotate or your container runtime'),
  otlp: unsupported(),
}, { allowEmpty: true });
export type LogSettings = Infer<typeof logSchema>;

function checkStatusRange(value: string): string | undefined {
  const match = /^(\d{3})(?:-(\d{3}))?$/.exec(value.trim());
  const low = Number(match?.[1]);
  const high = match?.[2] === undefined ? low : Number(match[2]);
  if (match === null || low < 100 || high > 599 || low > high) {
    return `"${value}" is not a status code or range such as "404" or "500-599"`;
  }
  return undefined;
}

const keepDrop = oneOf(['keep', 'drop']);
const keepDropRedact = oneOf(['keep', 'drop', 'redact']);

/** `accessLog`; absent means no access log. Field modes follow Traefik: fields kept, headers dropped by default. */
export const accessLogSchema = obj({
  filePath: optional(str({ nonEmpty: true })),
  format: withDefault(oneOf(['common', 'genericCLF', 'json']), 'common'),
  bufferingSize: withDefault(int({ min: 0 }), 0),
  addInternals: off(),
  filters: optional(obj({
    statusCodes: optional(list(str({ nonEmpty: true, check: checkStatusRange }))),
    retryAttempts: off(),
    minDuration: withDefault(duration({ min: 0 }), 0),
  })),
  fields: always(obj({
    defaultMode: withDefault(keepDrop, 'keep'),
    names: optional(map(keepDrop)),
    headers: always(obj({
      defaultMode: withDefault(keepDropRedact, 'drop'),
      names: optional(map(keepDropRedact)),
    })),
  })),
  otlp: unsupported(),
}, { allowEmpty: true });
export type AccessLogSettings = Infer<typeof accessLogSchema>;
