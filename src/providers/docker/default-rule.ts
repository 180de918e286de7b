import { didYouMean } from '../../util/suggest.js';
import { normalizeName } from './names.js';

/** What `providers.docker.defaultRule` is rendered with, as in Traefik. */
export interface RuleModel {
  /** The container's service name (`whoami-demo` for compose service `whoami` in project `demo`). */
  readonly Name: string;
  /** The container name without Docker's leading `/`. */
  readonly ContainerName: string;
  readonly Labels: Readonly<Record<string, string>>;
}

export type RuleTemplate = (model: RuleModel) => string;
export type RuleTemplateResult = { ok: true; render: RuleTemplate } | { ok: false; message: string };

type Value = { type: 'string'; get: (model: RuleModel) => string } | { type: 'labels'; get: (model: RuleModel) => Readonly<Record<string, string>> };
type Part = (model: RuleModel) => string;

const FIELDS = ['Name', 'ContainerName', 'Labels'];
const FUNCTIONS = ['normalize', 'index'];
const SUPPORTED = '{{ .Name }}, {{ .ContainerName }}, {{ normalize .Name }} (also as {{ .Name | normalize }}), {{ index .Labels "key" }} and plain text';

class TemplateError extends Error {}

/**
 * Compiles the subset of Go's text/template that default rules use in practice (Traefik's default is
 * ``Host(`{{ normalize .Name }}`)``). Anything else (sprig functions, `if`, `range`, variables) is refused
 * up front with the supported forms listed, rather than failing later per container as Traefik does.
 */
export function compileRuleTemplate(source: string): RuleTemplateResult {
  try {
    const parts: Part[] = [];
    let rest = source;
    let offset = 0;
    let trimNext = false;
    while (rest !== '') {
      const open = rest.indexOf('{{');
      let text = open === -1 ? rest : rest.slice(0, open);
      if (trimNext) text = text.trimStart();
      if (open === -1) {
        parts.push(constant(text));
        break;
      }
      const close = rest.indexOf('}}', open + 2);
      if (close === -1) throw new TemplateError(`unclosed action "{{" at column ${offset + open + 1}`);
      let inner = rest.slice(open + 2, close);
      if (/^-\s/.test(inner)) {
        text = text.trimEnd();
        inner = inner.slice(1);
      }
      trimNext = /\s-$/.test(inner);
      if (trimNext) inner = inner.slice(0, -1);
      parts.push(constant(text));
      parts.push(compileAction(inner, offset + open + 1));
      offset += close + 2;
      rest = rest.slice(close + 2);
    }
    const live = parts.filter((part) => part !== EMPTY);
    return { ok: true, render: (model) => live.map((part) => part(model)).join('') };
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return { ok: false, message: `unsupported default rule template \`${source}\`: ${err.message}; Berth supports ${SUPPORTED}` };
  }
}

const EMPTY: Part = () => '';

function constant(text: string): Part {
  return text === '' ? EMPTY : () => text;
}

type Token = { kind: 'field' | 'ident' | 'string' | 'op'; text: string };

function compileAction(source: string, column: number): Part {
  const tokens = tokenize(source, column);
  const state = { tokens, index: 0, column };
  const value = parsePipeline(state);
  if (state.index < tokens.length) throw new TemplateError(`unexpected "${(tokens[state.index] as Token).text}" in "{{${source}}}" at column ${column}`);
  if (value.type !== 'string') throw new TemplateError(`"{{${source}}}" at column ${column} prints the whole label map; use {{ index .Labels "key" }}`);
  return value.get;
}

function tokenize(source: string, column: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    const rest = source.slice(i);
    let match: RegExpExecArray | null;
    if (/\s/.test(ch)) {
      i++;
    } else if ((match = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(rest)) !== null) {
      tokens.push({ kind: 'field', text: match[0].slice(1) });
      i += match[0].length;
    } else if ((match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)) !== null) {
      tokens.push({ kind: 'ident', text: match[0] });
      i += match[0].length;
    } else if ((match = /^"((?:[^"\\]|\\.)*)"/.exec(rest)) !== null) {
      tokens.push({ kind: 'string', text: unquote(match[1] ?? '', column) });
      i += match[0].length;
    } else if ((match = /^`([^`]*)`/.exec(rest)) !== null) {
      tokens.push({ kind: 'string', text: match[1] ?? '' });
      i += match[0].length;
    } else if ('|()'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch });
      i++;
    } else {
      throw new TemplateError(`unexpected "${rest.split(/\s/)[0] ?? ch}" in "{{${source}}}" at column ${column}`);
    }
  }
  return tokens;
}

/** A Go "double-quoted" string body; its escapes are JSON's for every case a rule needs. */
function unquote(body: string, column: number): string {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    throw new TemplateError(`bad escape in "${body}" at column ${column}`);
  }
}

interface State {
  readonly tokens: Token[];
  index: number;
  readonly column: number;
}

function parsePipeline(state: State): Value {
  let value = parseCommand(state, undefined);
  while (state.tokens[state.index]?.text === '|' && state.tokens[state.index]?.kind === 'op') {
    state.index++;
    value = parseCommand(state, value);
  }
  return value;
}

/** A command is an operand, or a function applied to operands (plus the piped value, last, as in Go). */
function parseCommand(state: State, piped: Value | undefined): Value {
  const token = state.tokens[state.index];
  if (token === undefined) throw new TemplateError(`empty action at column ${state.column}`);
  if (token.kind !== 'ident') {
    if (piped !== undefined) throw new TemplateError(`"|" must be followed by a function at column ${state.column}`);
    return parseOperand(state);
  }
  state.index++;
  if (!FUNCTIONS.includes(token.text)) {
    throw new TemplateError(`"${token.text}" at column ${state.column} is not supported${didYouMean(token.text, FUNCTIONS)}`);
  }
  const args: Value[] = [];
  while (state.index < state.tokens.length && !isOp(state, '|') && !isOp(state, ')')) args.push(parseOperand(state));
  if (piped !== undefined) args.push(piped);
  return token.text === 'normalize' ? normalizeCall(args, state.column) : indexCall(args, state.column);
}

function parseOperand(state: State): Value {
  const token = state.tokens[state.index++];
  if (token === undefined) throw new TemplateError(`missing operand at column ${state.column}`);
  if (token.kind === 'string') {
    const text = token.text;
    return { type: 'string', get: () => text };
  }
  if (token.kind === 'op' && token.text === '(') {
    const inner = parsePipeline(state);
    if (!isOp(state, ')')) throw new TemplateError(`missing ")" at column ${state.column}`);
    state.index++;
    return inner;
  }
  if (token.kind === 'field') {
    if (token.text === 'Name') return { type: 'string', get: (model) => model.Name };
    if (token.text === 'ContainerName') return { type: 'string', get: (model) => model.ContainerName };
    if (token.text === 'Labels') return { type: 'labels', get: (model) => model.Labels };
    throw new TemplateError(`unknown field ".${token.text}" at column ${state.column}${didYouMean(token.text, FIELDS)}`);
  }
  throw new TemplateError(`unexpected "${token.text}" at column ${state.column}`);
}

function isOp(state: State, text: string): boolean {
  const token = state.tokens[state.index];
  return token?.kind === 'op' && token.text === text;
}

function normalizeCall(args: Value[], column: number): Value {
  const [arg] = args;
  if (args.length !== 1 || arg === undefined || arg.type !== 'string') throw new TemplateError(`normalize takes one text argument, at column ${column}`);
  return { type: 'string', get: (model) => normalizeName(arg.get(model)) };
}

function indexCall(args: Value[], column: number): Value {
  const [map, key] = args;
  if (args.length !== 2 || map?.type !== 'labels' || key?.type !== 'string') {
    throw new TemplateError(`index takes .Labels and a quoted label name, as in {{ index .Labels "com.example.domain" }}, at column ${column}`);
  }
  // Go's index on a map gives "" for a missing key.
  return { type: 'string', get: (model) => map.get(model)[key.get(model)] ?? '' };
}
