/**
 * Families every worker reports identically, because each applies the same snapshots and the same health
 * results: summing them would count one reload or one UP server once per worker, so the largest value is kept.
 */
const SAME_IN_EVERY_WORKER = new Set(['traefik_config_reloads_total', 'traefik_config_last_reload_success', 'traefik_service_server_up']);

/**
 * Merges the Prometheus text expositions of several worker processes into one, as if one process had served all
 * their traffic: samples of the same series (name and labels) are added (counters, histogram buckets, sums and
 * counts, open connections), except the SAME_IN_EVERY_WORKER families, where the largest value wins. Families keep
 * the order in which they first appear, each with its HELP and TYPE lines once.
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const familyNamed = (name: string): Family => {
    let family = families.get(name);
    if (family === undefined) families.set(name, family = { name, comments: [], series: new Map() });
    return family;
  };
  for (const text of texts) {
    // Samples follow their family's HELP and TYPE lines (the text format groups them so).
    let family: Family | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('#')) {
        family = familyNamed(line.split(' ')[2] ?? '');
        if (!family.comments.includes(line)) family.comments.push(line);
        continue;
      }
      const space = line.lastIndexOf(' ');
      const series = line.slice(0, space);
      const value = Number(line.slice(space + 1));
      const owner = family ?? familyNamed(series.split('{')[0] ?? series);
      const before = owner.series.get(series);
      owner.series.set(series, before === undefined ? value : SAME_IN_EVERY_WORKER.has(owner.name) ? Math.max(before, value) : before + value);
    }
  }
  const out: string[] = [];
  for (const family of families.values()) {
    out.push(...family.comments);
    for (const [series, value] of family.series) out.push(`${series} ${formatValue(value)}`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

interface Family {
  readonly name: string;
  /** HELP and TYPE lines, once each. */
  readonly comments: string[];
  /** `name{labels}` of each sample -> merged value, in first-seen order. */
  readonly series: Map<string, number>;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
