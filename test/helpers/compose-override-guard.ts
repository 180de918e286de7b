import type { ExampleManifest } from './compose-manifest.js';

/** A compose file as parsed YAML (only `services` is looked at). */
export interface ComposeFile {
  readonly services?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

// What a test override may change: where things listen and which image runs, never the routing itself.
const ADDRESS_FLAGS = [/^--entrypoints\.[^.=]+\.address$/i, /^--(port|host|name)$/];
const SERVER_PORT_LABEL = /\.loadbalancer\.server\.port$/i;

/**
 * The ways `override` (docker-compose.test.yml) departs from `base` beyond what running on loopback needs:
 * image `berth:test`, host networking, listen addresses and ports, server ports in labels, the Docker socket
 * path, a faster health-check interval, one replica per port, plus what the manifest declares test-only. The test
 * fails on any other difference, so that what runs in CI is the example as written.
 */
export function overrideDeviations(base: ComposeFile, override: ComposeFile, manifest: ExampleManifest): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(override.services ?? {})) {
    const original = base.services?.[name] ?? base.services?.[manifest.replicaStandIns?.[name] ?? ''];
    if (original === undefined) {
      problems.push(`service ${name} is not in docker-compose.yml (list it in "replicaStandIns" if it plays a replica)`);
      continue;
    }
    for (const [key, value] of Object.entries(service)) {
      const problem = checkKey(key, value, original, manifest);
      if (problem !== undefined) problems.push(`service ${name}: ${problem}`);
    }
  }
  return problems;
}

function checkKey(key: string, value: unknown, original: Readonly<Record<string, unknown>>, manifest: ExampleManifest): string | undefined {
  switch (key) {
    case 'image':
      return value === 'berth:test' ? undefined : `image must be berth:test, is ${String(value)}`;
    case 'network_mode':
      return value === 'host' ? undefined : `network_mode must be host, is ${String(value)}`;
    case 'command': {
      const testOnly = manifest.testOnlyFlags ?? [];
      const mine = commandCore(value, testOnly);
      const theirs = commandCore(original['command'], testOnly);
      return mine === theirs ? undefined : `command differs beyond addresses and ports:\n  example: ${theirs}\n  test:    ${mine}`;
    }
    case 'labels': {
      const mine = labelMap(value);
      const theirs = labelMap(original['labels']);
      const allowed = (label: string) => SERVER_PORT_LABEL.test(label) || (manifest.testOnlyLabels ?? []).some((suffix) => label.toLowerCase().endsWith(suffix.toLowerCase()));
      const changed = Object.keys(mine).filter((label) => mine[label] !== theirs[label] && !allowed(label));
      return changed.length === 0 ? undefined : `labels changed beyond server ports: ${changed.join(', ')}`;
    }
    case 'volumes': {
      const bad = (value as unknown[]).filter((volume) => typeof volume !== 'string' || !/^\$\{[A-Z_]+\}:/.test(volume));
      return bad.length === 0 ? undefined : `volumes must mount paths the test provides (\${VAR}:...): ${JSON.stringify(bad)}`;
    }
    case 'environment': {
      const allowed = manifest.testOnlyEnvironment ?? [];
      const names = Object.keys(labelMap(value)).filter((name) => !allowed.includes(name));
      return names.length === 0 ? undefined : `environment variables not listed in "testOnlyEnvironment": ${names.join(', ')}`;
    }
    case 'healthcheck':
      return sameKeys(value, ['interval']);
    case 'deploy':
      return sameKeys(value, ['replicas']);
    default:
      return `"${key}" may not be changed by the test override`;
  }
}

function sameKeys(value: unknown, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(value as object).filter((key) => !allowed.includes(key));
  return extra.length === 0 ? undefined : `only ${allowed.join(', ')} may be set, not ${extra.join(', ')}`;
}

/** The command without address, port and name flags (and the manifest's test-only flags), as one string. */
function commandCore(command: unknown, testOnly: readonly string[]): string {
  const words = Array.isArray(command) ? command.map(String) : typeof command === 'string' ? command.split(/\s+/).filter((w) => w !== '') : [];
  return words.filter((word) => {
    const key = word.split('=')[0] as string;
    if (ADDRESS_FLAGS.some((pattern) => pattern.test(key))) return false;
    return !testOnly.some((prefix) => key.toLowerCase().startsWith(prefix.toLowerCase()));
  }).join(' ');
}

/** Compose labels, as a list of `key=value` or a map, as a map. */
export function labelMap(labels: unknown): Record<string, string> {
  if (labels === undefined || labels === null) return {};
  if (Array.isArray(labels)) {
    return Object.fromEntries(labels.map((entry) => {
      const text = String(entry);
      const eq = text.indexOf('=');
      return eq === -1 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(labels as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
}
