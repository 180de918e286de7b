import { clfTime, type AccessRecord } from './record.js';

/** `accessLog.format`. */
export type AccessLogFormat = 'common' | 'genericCLF' | 'json';

/** One JSON line as logrus writes it: the fields, sorted, plus `level`, `msg` and `time`. */
export function jsonLine(fields: Record<string, string | number>, now: Date): string {
  fields['level'] = 'info';
  fields['msg'] = '';
  fields['time'] = now.toISOString().replace(/\.\d+Z$/, 'Z');
  let out = '{';
  for (const key of Object.keys(fields).sort()) {
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${JSON.stringify(fields[key])}`;
  }
  return `${out}}\n`;
}

/**
 * Traefik's CommonLogFormatter line:
 * `<ClientHost> - <ClientUsername> [<time>] "<method> <path> <proto>" <status> <size> "<Referer>" "<User-Agent>"
 * <RequestCount> "<RouterName>" "<ServiceURL>" <ms>ms`. genericCLF stops after the User-Agent. A dropped field
 * prints as `-` (`"-"` where Traefik quotes), as Traefik's formatter reads only the kept fields; so do Referer and
 * User-Agent unless their headers are kept (`fields.headers`).
 */
export function clfLine(fields: Record<string, string | number>, record: AccessRecord, generic: boolean): string {
  const plain = (key: string): string => {
    const value = fields[key];
    return value === undefined || value === '' ? '-' : String(value);
  };
  const quoted = (key: string): string => {
    const value = fields[key];
    if (value === undefined || value === '') return '"-"';
    return typeof value === 'number' ? String(value) : `"${value}"`;
  };
  const status = fields['OriginStatus'] !== undefined ? quoted('OriginStatus') : quoted('DownstreamStatus');
  const size = fields['OriginContentSize'] !== undefined ? quoted('OriginContentSize') : quoted('DownstreamContentSize');
  const time = fields['StartUTC'] !== undefined || fields['StartLocal'] !== undefined ? clfTime(record.startMs) : '-';
  const head = `${plain('ClientHost')} - ${plain('ClientUsername')} [${time}] "${plain('RequestMethod')} ${plain('RequestPath')} ${plain('RequestProtocol')}" ${status} ${size} ${quoted('request_Referer')} ${quoted('request_User-Agent')}`;
  if (generic) return `${head}\n`;
  const ms = fields['Duration'] === undefined ? 0 : Math.floor(record.durationNs / 1e6);
  return `${head} ${quoted('RequestCount')} ${quoted('RouterName')} ${quoted('ServiceURL')} ${ms}ms\n`;
}
