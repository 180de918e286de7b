import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import { formatPath, isRecord, type Path, type PathSegment } from './types.js';

/** One `key=value` pair from a flat source: a Docker label, an environment variable or a CLI flag. */
export interface FlatEntry {
  /** The dotted key below the source's prefix, e.g. `http.routers.web.tls.domains[0].main`. */
  readonly key: string;
  readonly value: string;
  /** How to name this entry in messages, e.g. `label traefik.http.routers.web.rule`. */
  readonly origin: string;
}

export interface FlatTree {
  /** Nested plain objects whose leaves are strings; list slots (`[n]`) become numeric keys. */
  readonly tree: Record<string, unknown>;
  /** Names the entry behind a path (the leaf itself, or the first entry below it). */
  readonly where: (path: Path) => string;
  readonly issues: ConfigIssue[];
}

const SEGMENT = /^([^[\]]*)((?:\[\d+\])*)$/;

/** Splits `tls.domains[0].main` into `['tls', 'domains', 0, 'main']`; undefined when malformed. */
export function parseFlatKey(key: string): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  for (const part of key.split('.')) {
    const match = SEGMENT.exec(part);
    if (match === null || match[1] === '') return undefined;
    out.push(match[1] as string);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/**
 * Builds a tree from flat entries. Keys are matched case-insensitively (the first spelling seen is kept),
 * as Traefik's label parser does. A key that is both a value and a section (`tls=true` beside
 * `tls.certresolver=le`) is a section when the value is `true`, and a conflict otherwise.
 */
export function unflatten(entries: readonly FlatEntry[]): FlatTree {
  const tree = Object.create(null) as Record<string, unknown>;
  const origins: Array<{ path: PathSegment[]; origin: string }> = [];
  const issues: ConfigIssue[] = [];

  // Sorting puts `tls` before `tls.certresolver`, so sections are created in a stable order.
  const sorted = [...entries].sort((a, b) => a.key.toLowerCase().localeCompare(b.key.toLowerCase()));
  for (const entry of sorted) {
    const path = parseFlatKey(entry.key);
    if (path === undefined) {
      issues.push({ code: ErrorCodes.INVALID_VALUE, severity: 'error', where: entry.origin, message: `malformed key "${entry.key}": expected dot-separated names with optional [n] indexes` });
      continue;
    }
    const canonical = insert(tree, path, entry, issues);
    if (canonical !== undefined) origins.push({ path: canonical, origin: entry.origin });
  }

  const where = (path: Path): string => {
    const wanted = path.map((segment) => String(segment).toLowerCase());
    const exact = origins.find((o) => o.path.length === wanted.length && startsWith(o.path, wanted));
    const found = exact ?? origins.find((o) => startsWith(o.path, wanted)) ?? closestAncestor(origins, wanted);
    return found?.origin ?? formatPath(path);
  };
  return { tree, where, issues };
}

/** For a path inside a value (a comma-separated list item), the entry that holds it. */
function closestAncestor(origins: ReadonlyArray<{ path: PathSegment[]; origin: string }>, wanted: readonly string[]) {
  for (let length = wanted.length - 1; length > 0; length--) {
    const prefix = wanted.slice(0, length);
    const found = origins.find((o) => o.path.length === length && startsWith(o.path, prefix));
    if (found !== undefined) return found;
  }
  return undefined;
}

function startsWith(path: readonly PathSegment[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(path[i]).toLowerCase() === segment);
}

/** Inserts one entry; returns the path as stored (with the case first seen), or undefined on conflict. */
function insert(tree: Record<string, unknown>, path: readonly PathSegment[], entry: FlatEntry, issues: ConfigIssue[]): PathSegment[] | undefined {
  let node = tree;
  const stored: PathSegment[] = [];
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const key = existingKey(node, String(segment)) ?? String(segment);
    stored.push(typeof segment === 'number' ? segment : key);
    const last = i === path.length - 1;
    const current = node[key];
    if (last) {
      if (isRecord(current)) {
        if (entry.value.trim().toLowerCase() === 'true') return stored;
        issues.push(conflict(entry, stored));
        return undefined;
      }
      node[key] = entry.value;
      return stored;
    }
    if (current === undefined) {
      node[key] = Object.create(null) as Record<string, unknown>;
    } else if (!isRecord(current)) {
      if (String(current).trim().toLowerCase() !== 'true') {
        issues.push(conflict(entry, stored));
        return undefined;
      }
      node[key] = Object.create(null) as Record<string, unknown>;
    }
    node = node[key] as Record<string, unknown>;
  }
  return stored;
}

function existingKey(node: Record<string, unknown>, key: string): string | undefined {
  if (key in node) return key;
  const lower = key.toLowerCase();
  return Object.keys(node).find((candidate) => candidate.toLowerCase() === lower);
}

function conflict(entry: FlatEntry, path: PathSegment[]): ConfigIssue {
  return {
    code: ErrorCodes.CONFLICTING_KEYS,
    severity: 'error',
    where: entry.origin,
    message: `"${formatPath(path)}" is used both as a value and as a section; only "true" may stand beside its sub-keys`,
  };
}
