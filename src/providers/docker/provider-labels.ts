import { labelWhere } from '../../config/labels/decode.js';
import { INVALID, bool, createContext, obj, optional, str, unflatten, type FlatEntry } from '../../config/schema/index.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import type { ContainerInfo } from './container.js';

/** The labels that steer the provider rather than describe routing: `<prefix>.enable`, `<prefix>.docker.*`. */
const providerLabelsSchema = obj({
  enable: optional(bool()),
  docker: optional(obj({
    network: optional(str()),
    allowNonRunning: optional(bool()),
    // Accepted for compatibility: Traefik reads it for Swarm only.
    lbSwarm: optional(bool()),
  })),
});

export interface ProviderLabels {
  /** The prefix the container's labels are read under. */
  readonly prefix: string;
  /** `<prefix>.enable`, when set. */
  readonly enable?: boolean;
  /** `<prefix>.docker.network`, when set (the full key as written, for messages). */
  readonly network?: { readonly name: string; readonly key: string };
  readonly allowNonRunning: boolean;
  /** False when one of these labels has a bad value: the container is then skipped, as Traefik does. */
  readonly valid: boolean;
  readonly issues: readonly ConfigIssue[];
}

/**
 * The prefix a container's labels are read under: the first of `prefixes` it carries any label for
 * (`berth.*` before `traefik.*` by default), else the first of the list.
 */
export function prefixOf(container: ContainerInfo, prefixes: readonly string[]): string {
  const keys = Object.keys(container.labels).map((key) => key.toLowerCase());
  return prefixes.find((prefix) => keys.some((key) => key.startsWith(`${prefix.toLowerCase()}.`))) ?? prefixes[0] ?? 'traefik';
}

/** Reads `<prefix>.enable` and `<prefix>.docker.*` (pure). */
export function readProviderLabels(container: ContainerInfo, prefixes: readonly string[]): ProviderLabels {
  const prefix = prefixOf(container, prefixes);
  const shadowed = shadowedPrefixes(container, prefixes, prefix);
  const head = `${prefix.toLowerCase()}.`;
  const entries: FlatEntry[] = [];
  for (const [key, value] of Object.entries(container.labels)) {
    const lower = key.toLowerCase();
    if (lower === `${head}enable` || lower.startsWith(`${head}docker.`)) {
      entries.push({ key: key.slice(head.length), value, origin: labelWhere(key, container.name) });
    }
  }
  if (entries.length === 0) return { prefix, allowNonRunning: false, valid: true, issues: shadowed };

  const flat = unflatten(entries);
  const ctx = createContext({ flat: true, where: flat.where });
  const decoded = providerLabelsSchema.decode(flat.tree, [], ctx);
  // A misspelt key is ignored with a warning; a bad value skips the container rather than guess its intent.
  const issues = [...flat.issues, ...ctx.issues].map((issue) =>
    issue.code === ErrorCodes.UNKNOWN_KEY ? { ...issue, severity: 'warning' as const, message: `${issue.message}; this label is ignored` } : issue);
  const valid = decoded !== INVALID && !issues.some((issue) => issue.severity === 'error');
  const value = decoded === INVALID || decoded === undefined ? {} : decoded;
  const networkEntry = entries.find((entry) => entry.key.toLowerCase() === 'docker.network');
  const network = value.docker?.network;
  return {
    prefix,
    ...(value.enable === undefined ? {} : { enable: value.enable }),
    ...(network === undefined || network === '' ? {} : { network: { name: network, key: `${prefix}.${networkEntry?.key ?? 'docker.network'}` } }),
    allowNonRunning: value.docker?.allowNonRunning ?? false,
    valid,
    issues: [...shadowed, ...issues.map((issue) => (issue.severity === 'error' ? { ...issue, message: `${issue.message}; the container is skipped until this label is fixed` } : issue))],
  };
}

/**
 * A container is read under one prefix only, so labels it also carries under another (`traefik.*` beside
 * `berth.*`) are ignored; that is said once per container rather than left silent.
 */
function shadowedPrefixes(container: ContainerInfo, prefixes: readonly string[], chosen: string): ConfigIssue[] {
  const keys = Object.keys(container.labels).map((key) => key.toLowerCase());
  const others = prefixes.filter((prefix) => prefix !== chosen && keys.some((key) => key.startsWith(`${prefix.toLowerCase()}.`)));
  if (others.length === 0) return [];
  return [{
    code: ErrorCodes.DOCKER_LABEL,
    severity: 'warning',
    where: `container ${container.name}`,
    message: `the labels under ${others.map((prefix) => `"${prefix}."`).join(' and ')} are ignored because the container has labels under "${chosen}.", which come first in providers.docker.labelPrefixes; write all of a container's labels under one prefix`,
  }];
}
