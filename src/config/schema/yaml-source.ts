import { LineCounter, isMap, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
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
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const issues: ConfigIssue[] = doc.errors.map((error) => {
    const position = lineCounter.linePos(error.pos[0]);
    const at = `${name}:${position.line}:${position.col}`;
    return { code: ErrorCodes.YAML_SYNTAX, severity: 'error', where: at, message: `YAML syntax error: ${firstLine(error.message)}` };
  });
  const where = (path: Path): string => {
    const line = lineOf(doc, lineCounter, path);
    const keyPath = formatPath(path);
    return `${name}${line === undefined ? '' : `:${line}`}${keyPath === '' ? '' : `: ${keyPath}`}`;
  };
  const value = issues.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined;
  return { value, where, issues };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The line of the deepest node along `path`, matching keys case-insensitively like the decoder does. */
function lineOf(doc: Document, lineCounter: LineCounter, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as YamlNode | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const wanted = String(segment).toLowerCase();
      const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key).toLowerCase() === wanted);
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
