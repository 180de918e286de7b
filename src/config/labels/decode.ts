import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue, ElementRef, ElementSection } from '../../errors/config-issue.js';
import { closestMatch, editDistance } from '../../util/suggest.js';
import { INVALID, createContext, isRecord, parseFlatKey, unflatten, type FlatEntry } from '../schema/index.js';
import { labelConfigSchema, type LabelConfig } from './label-schema.js';

/** The element sections labels can declare. */
export type LabelSection = Extract<ElementSection, 'http.routers' | 'http.services' | 'http.middlewares' | 'tcp.routers' | 'tcp.services' | 'tcp.middlewares' | 'udp.routers' | 'udp.services'>;
export const LABEL_SECTIONS: readonly LabelSection[] = [
  'http.routers', 'http.services', 'http.middlewares', 'tcp.routers', 'tcp.services', 'tcp.middlewares', 'udp.routers', 'udp.services',
];

export interface DecodedLabels {
  /** The elements that decoded without error; a broken element is absent (and reported in `issues`). */
  readonly config: LabelConfig;
  readonly issues: ConfigIssue[];
  /**
   * The element names the labels declare in each section, broken ones included. The Docker provider decides
   * from these whether to create a default router or service: a broken router must not be replaced by a
   * default one that would expose the container under the default rule.
   */
  readonly declared: Readonly<Record<LabelSection, readonly string[]>>;
}

/** The first segments of decoded keys, and those read separately by the provider (`enable`, `docker.*`). */
const DECODED_ROOTS = ['http', 'tcp', 'udp'];
const PROVIDER_ROOTS = ['enable', 'docker'];
const KNOWN_ROOTS = [...DECODED_ROOTS, 'tls', ...PROVIDER_ROOTS];
/** Keys that follow a root: a misspelt root followed by one of these is certainly a typo. */
const SECOND_LEVEL = new Set(['routers', 'services', 'middlewares', 'stores']);

/** How issues name a label: `label traefik.http.routers.web.rule on container web-1`. */
export function labelWhere(key: string, container: string): string {
  return `label ${key} on container ${container}`;
}

/**
 * Decodes a container's labels under one prefix (`traefik`, `berth`) into a partial dynamic configuration
 * (pure). Only `<prefix>.http.*`, `<prefix>.tcp.*`, `<prefix>.udp.*` and `<prefix>.tls.stores.default.*`
 * are decoded; `<prefix>.enable` and `<prefix>.docker.*` are the provider's; anything else is ignored, as
 * Traefik does, except a misspelt root (`traefik.htp.routers.web.rule`), which gets a warning with the key
 * meant. Keys match case-insensitively. Unlike Traefik, which skips the whole container on any bad label,
 * a bad label disables only the element it belongs to.
 */
export function decodeLabels(labels: Readonly<Record<string, string>>, prefix: string, container: string): DecodedLabels {
  const issues: ConfigIssue[] = [];
  const entries: FlatEntry[] = [];
  const keyByOrigin = new Map<string, string>();
  const head = `${prefix.toLowerCase()}.`;

  for (const [fullKey, value] of Object.entries(labels)) {
    if (!fullKey.toLowerCase().startsWith(head)) continue;
    const key = fullKey.slice(head.length);
    const origin = labelWhere(fullKey, container);
    const segments = key.split('.');
    const root = (segments[0] ?? '').replace(/\[.*$/, '').toLowerCase();
    if (DECODED_ROOTS.includes(root) || key.toLowerCase().startsWith('tls.stores.default.')) {
      entries.push({ key, value, origin });
      keyByOrigin.set(origin, key);
    } else if (root === 'tls') {
      issues.push({
        code: ErrorCodes.DOCKER_LABEL,
        severity: 'warning',
        where: origin,
        message: `only ${prefix}.tls.stores.default.* can be set with labels; this label is ignored (TLS options and certificates belong in the file provider, referenced as "name@file")`,
      });
    } else if (!PROVIDER_ROOTS.includes(root)) {
      const hint = misspeltRoot(root, segments[1]);
      if (hint !== undefined) {
        issues.push({
          code: ErrorCodes.DOCKER_LABEL,
          severity: 'warning',
          where: origin,
          message: `"${prefix}.${segments[0] ?? ''}" is not a label section, so this label is ignored (did you mean "${prefix}.${hint}"?)`,
        });
      }
    }
  }

  const flat = unflatten(entries);
  const ctx = createContext({ flat: true, where: flat.where });
  const decoded = labelConfigSchema.decode(flat.tree, [], ctx);
  const config: LabelConfig = decoded === INVALID || decoded === undefined ? {} : decoded;

  // Entries the tree builder rejected (malformed key, value beside a section) break their element too.
  for (const issue of flat.issues) {
    const key = keyByOrigin.get(issue.where);
    const element = key === undefined ? undefined : elementOf(key);
    if (element === undefined) {
      issues.push(issue);
      continue;
    }
    issues.push({ ...issue, element });
    if (issue.severity === 'error') dropElement(config, element);
  }
  // An unknown key outside any element (`traefik.http.routrs.web.rule`) disables nothing: it is ignored.
  for (const issue of ctx.issues) {
    issues.push(issue.element === undefined && issue.code === ErrorCodes.UNKNOWN_KEY
      ? { ...issue, severity: 'warning', message: `${issue.message}; this label is ignored` }
      : issue);
  }
  return { config, issues, declared: declaredElements(flat.tree) };
}

/** The root a misspelt first segment most likely meant; only a plausible typo gets a hint. */
function misspeltRoot(root: string, next: string | undefined): string | undefined {
  if (root === '') return undefined;
  const match = closestMatch(root, KNOWN_ROOTS);
  if (match === undefined) return undefined;
  // `traefik.tags=foo` (used by constraints) is near "tls" but is no typo; a key that continues with
  // "routers"/"services"... is, as is a one-letter slip such as `traefik.enabel`.
  const followedBySection = next !== undefined && SECOND_LEVEL.has(next.toLowerCase());
  return followedBySection || editDistance(root, match) <= 1 ? match : undefined;
}

/** The element a flat key belongs to, e.g. `http.routers.web.rule` -> `{ http.routers, web }`. */
function elementOf(key: string): ElementRef | undefined {
  const path = parseFlatKey(key) ?? key.split('.');
  const section = `${String(path[0]).toLowerCase()}.${String(path[1]).toLowerCase()}`;
  const name = path[2];
  if (typeof name !== 'string') return undefined;
  const known = LABEL_SECTIONS.find((candidate) => candidate.toLowerCase() === section);
  return known === undefined ? undefined : { section: known, name };
}

function dropElement(config: LabelConfig, element: ElementRef): void {
  const [protocol, kind] = element.section.split('.') as [string, string];
  const group = (config as Record<string, Record<string, Record<string, unknown> | undefined> | undefined>)[protocol];
  const elements = group?.[kind];
  if (elements === undefined) return;
  const key = Object.keys(elements).find((name) => name.toLowerCase() === element.name.toLowerCase());
  if (key !== undefined) delete elements[key];
}

function child(node: unknown, name: string): unknown {
  if (!isRecord(node)) return undefined;
  const key = Object.keys(node).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : node[key];
}

function declaredElements(tree: Record<string, unknown>): Record<LabelSection, string[]> {
  const out = {} as Record<LabelSection, string[]>;
  for (const section of LABEL_SECTIONS) {
    const [protocol, kind] = section.split('.') as [string, string];
    const node = child(child(tree, protocol), kind.toLowerCase());
    out[section] = isRecord(node) ? Object.keys(node) : [];
  }
  return out;
}
