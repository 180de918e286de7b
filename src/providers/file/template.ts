import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';

/** Environment variables as templates see them (`process.env`, or a fixed table in tests). */
export type TemplateEnv = Readonly<Record<string, string | undefined>>;

export interface TemplateOutput {
  /** The rendered text; undefined when an action could not be rendered (see `issues`). */
  readonly text: string | undefined;
  readonly issues: ConfigIssue[];
  /** True when the text held at least one `{{ }}` action. */
  readonly templated: boolean;
}

const SUPPORTED = 'Berth renders {{ env "NAME" }}, {{ env "NAME" | default "value" }}, string literals and {{/* comments */}}';

/**
 * Renders the safe subset of Go templates that Traefik's file provider users write: Traefik runs every
 * dynamic file through text/template with sprig, and nearly all real files use it only for `{{ env "X" }}`.
 * Berth evaluates that subset itself and never executes anything else: any other action is an issue naming
 * the file, line and column, and the file is not used (as Traefik rejects a file whose template fails).
 * Trim markers (`{{- ` and ` -}}`) behave as in Go. An unset variable renders as "", like os.Getenv.
 */
export function renderTemplate(text: string, name: string, env: TemplateEnv): TemplateOutput {
  if (!text.includes('{{')) return { text, issues: [], templated: false };
  const issues: ConfigIssue[] = [];
  const fail = (offset: number, message: string): void => {
    issues.push({ code: ErrorCodes.NOT_SUPPORTED, severity: 'error', where: `${name}:${position(text, offset)}`, message });
  };
  let out = '';
  let cursor = 0;
  for (;;) {
    const open = text.indexOf('{{', cursor);
    if (open === -1) break;
    let literal = text.slice(cursor, open);
    let start = open + 2;
    if (text[start] === '-' && isSpace(text[start + 1])) {
      literal = literal.replace(/[ \t\r\n]+$/, '');
      start += 2;
    }
    out += literal;
    const close = findClose(text, start);
    if (close === -1) {
      fail(open, `template action opened with "{{" is never closed with "}}"`);
      return { text: undefined, issues, templated: true };
    }
    let end = close;
    const trimRight = text[close - 1] === '-' && isSpace(text[close - 2]) && close - 2 >= start;
    if (trimRight) end = close - 2;
    const result = evaluate(text.slice(start, end).trim(), env);
    if (typeof result === 'string') out += result;
    else fail(open, result.problem);
    cursor = close + 2;
    if (trimRight) while (isSpace(text[cursor])) cursor++;
  }
  out += text.slice(cursor);
  return { text: issues.length === 0 ? out : undefined, issues, templated: true };
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

/** `line:col` (1-based) of an offset, for issue locations. */
function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `${line}:${offset - lineStart + 1}`;
}

/** The index of the `}}` closing the action that starts at `from`, skipping quoted strings and comments. */
function findClose(text: string, from: number): number {
  let i = from;
  while (isSpace(text[i])) i++;
  if (text.startsWith('/*', i)) {
    const endComment = text.indexOf('*/', i + 2);
    return endComment === -1 ? -1 : text.indexOf('}}', endComment + 2);
  }
  for (; i < text.length - 1; i++) {
    const ch = text[i];
    if (ch === '"' || ch === '`') {
      const endQuote = skipQuoted(text, i);
      if (endQuote === -1) return -1;
      i = endQuote;
    } else if (ch === '}' && text[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

/** Index of the quote closing the string literal that opens at `at`, or -1. */
function skipQuoted(text: string, at: number): number {
  const quote = text[at];
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\' && quote === '"') i++;
    else if (text[i] === quote) return i;
    else if (text[i] === '\n' && quote === '"') return -1;
  }
  return -1;
}

type Token = { kind: 'string'; value: string } | { kind: 'word'; value: string } | { kind: 'pipe' };

/** Evaluates one action body: a comment, a string literal, or `env "X"` optionally piped into `default "y"`. */
function evaluate(body: string, env: TemplateEnv): string | { problem: string } {
  const shown = `"{{ ${body.length > 60 ? `${body.slice(0, 57)}...` : body} }}"`;
  const unsupported = { problem: `template action ${shown} is not supported: ${SUPPORTED}; nothing else is ever executed` };
  if (body.startsWith('/*') && body.endsWith('*/')) return '';
  const tokens = tokenize(body);
  if (tokens === undefined) return unsupported;
  const commands: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'pipe') commands.push([]);
    else commands[commands.length - 1]?.push(token);
  }
  let value: string | undefined;
  for (const [index, command] of commands.entries()) {
    const [head, ...args] = command;
    const arg = args.length === 1 && args[0]?.kind === 'string' ? args[0].value : undefined;
    if (index === 0 && head?.kind === 'string' && args.length === 0) value = head.value;
    else if (index === 0 && head?.kind === 'word' && head.value === 'env' && arg !== undefined) value = env[arg] ?? '';
    // sprig's `default`: the piped value unless it is empty.
    else if (index > 0 && head?.kind === 'word' && head.value === 'default' && arg !== undefined) value = value === '' ? arg : value;
    else return unsupported;
  }
  return value ?? unsupported;
}

function tokenize(body: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (isSpace(ch)) {
      i++;
    } else if (ch === '|') {
      tokens.push({ kind: 'pipe' });
      i++;
    } else if (ch === '"' || ch === '`') {
      const end = skipQuoted(body, i);
      if (end === -1) return undefined;
      const raw = body.slice(i, end + 1);
      const value = ch === '`' ? raw.slice(1, -1) : parseQuoted(raw);
      if (value === undefined) return undefined;
      tokens.push({ kind: 'string', value });
      i = end + 1;
    } else {
      const word = /^[A-Za-z_]\w*/.exec(body.slice(i));
      if (word === null) return undefined;
      tokens.push({ kind: 'word', value: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

/** Go's interpreted string literal; its common escapes are JSON's. */
function parseQuoted(raw: string): string | undefined {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return undefined;
  }
}
