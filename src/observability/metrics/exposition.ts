import type { RequestSeries } from './request-series.js';

/** A label value as the Prometheus text format (0.0.4) wants it: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  if (!/["\\\n]/.test(value)) return value;
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** `{a="x",b="y"}` for parallel name and value lists ('' when there are none). */
export function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) parts.push(`${names[i] as string}="${escapeLabel(values[i] ?? '')}"`);
  if (extra !== '') parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** A number as Prometheus prints it (`+Inf`, `NaN`, or the shortest exact decimal). */
export function numberText(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

/** Writes the HELP and TYPE lines of one metric family. */
export function header(out: string[], name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

/** The four request families of one scope kind (entrypoint, router, service) over all their series. */
export function writeRequestFamilies(out: string[], prefix: string, what: string, labelNames: readonly string[], series: readonly RequestSeries[], bounds: readonly number[]): void {
  if (series.length === 0) return;
  header(out, `${prefix}_requests_total`, 'counter', `How many HTTP requests processed on ${what}, partitioned by status code, protocol, and method.`);
  for (const s of series) out.push(`${prefix}_requests_total${labelText(labelNames, s.labels)} ${s.count}`);

  const histogram = `${prefix}_request_duration_seconds`;
  header(out, histogram, 'histogram', `How long it took to process the request on ${what}, partitioned by status code, protocol, and method.`);
  for (const s of series) {
    let cumulative = 0;
    for (let i = 0; i <= bounds.length; i++) {
      cumulative += s.buckets[i] as number;
      const le = i === bounds.length ? '+Inf' : numberText(bounds[i] as number);
      out.push(`${histogram}_bucket${labelText(labelNames, s.labels, `le="${le}"`)} ${cumulative}`);
    }
    out.push(`${histogram}_sum${labelText(labelNames, s.labels)} ${numberText(s.durationSum)}`);
    out.push(`${histogram}_count${labelText(labelNames, s.labels)} ${s.count}`);
  }

  header(out, `${prefix}_requests_bytes_total`, 'counter', `The total size of requests in bytes handled by ${what}, partitioned by status code, protocol, and method.`);
  for (const s of series) out.push(`${prefix}_requests_bytes_total${labelText(labelNames, s.labels)} ${s.requestBytes}`);
  header(out, `${prefix}_responses_bytes_total`, 'counter', `The total size of responses in bytes handled by ${what}, partitioned by status code, protocol, and method.`);
  for (const s of series) out.push(`${prefix}_responses_bytes_total${labelText(labelNames, s.labels)} ${s.responseBytes}`);
}
