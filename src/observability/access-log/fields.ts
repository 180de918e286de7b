import type { AccessLogConfig } from '../../config/static/schema.js';
import { canonicalHeaderName, rfc3339, splitHostPort, type AccessRecord } from './record.js';

type HeaderMode = 'keep' | 'drop' | 'redact';

/** The Traefik field names (logdata.go) Berth writes; anything else in `fields.names` is kept for forward compatibility. */
export const CORE_FIELDS = [
  'StartUTC', 'StartLocal', 'Duration', 'RouterName', 'ServiceName', 'ServiceURL', 'ServiceAddr', 'ClientAddr', 'ClientHost',
  'ClientPort', 'ClientUsername', 'RequestAddr', 'RequestHost', 'RequestPort', 'RequestMethod', 'RequestPath', 'RequestProtocol',
  'RequestScheme', 'RequestContentSize', 'OriginContentSize', 'OriginStatus', 'DownstreamStatus', 'DownstreamContentSize',
  'RequestCount', 'RetryAttempts', 'TLSVersion', 'TLSCipher',
] as const;

type CoreField = (typeof CORE_FIELDS)[number];

/**
 * `accessLog.fields` resolved once: which core fields are kept, and what happens to each header. Field and header
 * names are matched case-insensitively (Traefik canonicalises header names; flags and environment variables may
 * lower-case keys).
 */
export class FieldPolicy {
  readonly #kept: ReadonlySet<CoreField>;
  readonly #headerDefault: HeaderMode;
  readonly #headerModes: ReadonlyMap<string, HeaderMode>;
  /** True when no header can ever be written: the header loops are skipped. */
  readonly noHeaders: boolean;

  constructor(fields: AccessLogConfig['fields']) {
    const names = new Map(Object.entries(fields.names ?? {}).map(([name, mode]) => [name.toLowerCase(), mode]));
    this.#kept = new Set(CORE_FIELDS.filter((field) => (names.get(field.toLowerCase()) ?? fields.defaultMode) === 'keep'));
    this.#headerDefault = fields.headers.defaultMode;
    this.#headerModes = new Map(Object.entries(fields.headers.names ?? {}).map(([name, mode]) => [name.toLowerCase(), mode]));
    this.noHeaders = this.#headerDefault === 'drop' && [...this.#headerModes.values()].every((mode) => mode === 'drop');
  }

  keeps(field: CoreField): boolean {
    return this.#kept.has(field);
  }

  header(lowerName: string): HeaderMode {
    return this.#headerModes.get(lowerName) ?? this.#headerDefault;
  }
}

/**
 * The fields of one line, in Traefik's names and types (numbers stay numbers, ports are strings, Duration is in
 * nanoseconds), minus the dropped ones; headers as `request_<Name>` and `downstream_<Name>`. Keys are sorted, as
 * logrus' JSON formatter writes them.
 */
export function lineFields(record: AccessRecord, policy: FieldPolicy): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  const put = (field: CoreField, value: string | number): void => {
    if (policy.keeps(field)) fields[field] = value;
  };
  put('StartUTC', rfc3339(record.startMs, true));
  put('StartLocal', rfc3339(record.startMs, false));
  put('Duration', record.durationNs);
  if (record.routerName !== '') put('RouterName', record.routerName);
  if (record.serviceName !== '') put('ServiceName', record.serviceName);
  if (record.serviceUrl !== '') {
    put('ServiceURL', record.serviceUrl);
    put('ServiceAddr', serviceAddr(record.serviceUrl));
    // Berth does not capture the origin's answer apart from the client's: they are the same unless a middleware
    // replaced it (errors, compress). Absent when Berth answered itself, as in Traefik.
    put('OriginStatus', record.status);
    put('OriginContentSize', record.downstreamContentSize);
  }
  const v6 = record.clientIp.includes(':');
  put('ClientAddr', `${v6 ? `[${record.clientIp}]` : record.clientIp}:${record.clientPort}`);
  // Traefik logs the X-Forwarded-For a trusted client sent (untrusted ones were stripped before) as ClientHost.
  const forwardedFor = record.requestHeaders['x-forwarded-for'];
  put('ClientHost', typeof forwardedFor === 'string' && forwardedFor !== '' && record.trustedForwarded ? forwardedFor : record.clientIp);
  put('ClientPort', String(record.clientPort));
  put('ClientUsername', record.clientUsername === '' ? '-' : record.clientUsername);
  if (record.requestAddr !== '') {
    const { host, port } = splitHostPort(record.requestAddr);
    put('RequestAddr', record.requestAddr);
    put('RequestHost', host);
    put('RequestPort', port);
  }
  put('RequestMethod', record.method);
  put('RequestPath', record.path);
  put('RequestProtocol', record.protocol);
  put('RequestScheme', record.scheme);
  put('RequestContentSize', record.requestContentSize);
  put('DownstreamStatus', record.status);
  put('DownstreamContentSize', record.downstreamContentSize);
  put('RequestCount', record.requestCount);
  put('RetryAttempts', record.retryAttempts);
  if (record.tlsVersion !== '') {
    put('TLSVersion', record.tlsVersion);
    put('TLSCipher', record.tlsCipher);
  }
  if (!policy.noHeaders) {
    addHeaders(fields, 'request_', record.requestHeaders, policy);
    addHeaders(fields, 'downstream_', record.responseHeaders, policy);
  }
  return fields;
}

function addHeaders(fields: Record<string, string | number>, prefix: string, headers: Readonly<Record<string, unknown>>, policy: FieldPolicy): void {
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name.charCodeAt(0) === 58) continue;
    const mode = policy.header(name);
    if (mode === 'drop') continue;
    fields[`${prefix}${canonicalHeaderName(name)}`] = mode === 'redact' ? 'REDACTED' : Array.isArray(value) ? value.join(',') : String(value);
  }
}

/** `host:port` of a server URL (Traefik's ServiceAddr). */
function serviceAddr(url: string): string {
  const start = url.indexOf('//');
  const rest = start === -1 ? url : url.slice(start + 2);
  const slash = rest.indexOf('/');
  return slash === -1 ? rest : rest.slice(0, slash);
}
