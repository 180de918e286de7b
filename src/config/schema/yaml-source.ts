import { LineCounter, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import { formatPath, type Path } from './types.js';

export interface YamlSource {
  /** The document as plain data; undefined when it did not parse. */
  readonly value: unknown;
  /** `file:line: key.path`, naming the line of the deepest key of `path` that exists in the file. */
  readonly where: (path: Path) => string;
  /** Syntax errors, each with its line and column. Empty when the document parsed. */
  readonly issues: ConfigIssue[];
}

/**
 * Parses YAML text (a static or dynamic configuration file). `name` is how the file is named in messages.
 * Parsing is pure: reading the file is the caller's job.
 */
export function parseYamlSource(text: string, name: string): YamlSource {
  const lineCounter = new LineCounter();
  // The library's own uniqueKeys check compares each key with every earlier one; duplicateKeys() does it in one pass.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  const errors = doc.errors.map((error) => ({ offset: error.pos[0], message: firstLine(error.message) }));
  if (errors.length === 0) errors.push(...duplicateKeys(doc));
  const issues: ConfigIssue[] = errors.map((error) => {
    const position = lineCounter.linePos(error.offset);
    const at = `${name}:${position.line}:${position.col}`;
    return { code: ErrorCodes.YAML_SYNTAX, severity: 'error', where: at, message: `YAML syntax error: ${error.message}` };
  });
  const keys = new KeyIndex();
  const where = (path: Path): string => {
    const line = lineOf(doc, lineCounter, keys, path);
    const keyPath = formatPath(path);
    return `${name}${line === undefined ? '' : `:${line}`}${keyPath === '' ? '' : `: ${keyPath}`}`;
  };
  const value = issues.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined;
  return { value, where, issues };
}

/** Keys repeated within one mapping (YAML 1.2 forbids them; Go's yaml.v3, which Traefik uses, rejects them too). */
function duplicateKeys(doc: Document): Array<{ offset: number; message: string }> {
  const found: Array<{ offset: number; message: string }> = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || pair.key.value === '<<') continue;
        if (seen.has(pair.key.value)) found.push({ offset: pair.key.range?.[0] ?? 0, message: `Map keys must be unique ("${String(pair.key.value)}" appears twice)` });
        seen.add(pair.key.value);
      }
    },
  });
  return found;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * Each map's pairs by lower-cased key, built on first use: `where` is asked for every element and field, and a
 * scan of a 10,000-router map per question made locating them quadratic.
 */
class KeyIndex {
  readonly #byMap = new WeakMap<YAMLMap, Map<string, Pair>>();

  pair(map: YAMLMap, key: string): Pair | undefined {
    let index = this.#byMap.get(map);
    if (index === undefined) {
      index = new Map();
      for (const item of map.items) {
        const name = String((item.key as { value?: unknown } | null)?.value ?? item.key).toLowerCase();
        // The first of duplicate keys, as a scan would find it (duplicates are a syntax error anyway).
        if (!index.has(name)) index.set(name, item);
      }
      this.#byMap.set(map, index);
    }
    return index.get(key);
  }
}

/** The line of the deepest node along `path`, matching keys case-insensitively like the decoder does. */
function lineOf(doc: Document, lineCounter: LineCounter, keys: KeyIndex, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as YamlNode | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = keys.pair(node, String(segment).toLowerCase());
      if (pair === undefined) break;
      offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      if (item === undefined) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
