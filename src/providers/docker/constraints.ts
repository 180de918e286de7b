import { compileRegex, type SafeRegex } from '../../util/safe-regex.js';
import { didYouMean } from '../../util/suggest.js';

/** A compiled `providers.docker.constraints` expression: true when a container's labels satisfy it. */
export type Constraint = (labels: Readonly<Record<string, string>>) => boolean;

export type ConstraintResult = { ok: true; match: Constraint } | { ok: false; message: string };

type Token =
  | { kind: 'ident'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'op'; text: '&&' | '||' | '!' | '(' | ')' | ','; at: number }
  | { kind: 'end'; at: number };

const FUNCTIONS = ['Label', 'LabelRegex'];

class ParseError extends Error {}

/**
 * Compiles a constraints expression (reference §1.3): ``Label(`key`, `value`)`` (exact value),
 * ``LabelRegex(`key`, `re`)`` (RE2, unanchored, as Go's MatchString), `&&`, `||`, `!` and parentheses;
 * strings are Go literals, "double-quoted" with escapes or `back-quoted` raw. An empty expression matches
 * everything. Errors name the column and what was expected.
 */
export function compileConstraints(expression: string): ConstraintResult {
  if (expression.trim() === '') return { ok: true, match: () => true };
  try {
    const parser = new Parser(tokenize(expression));
    const match = parser.parseOr();
    parser.expectEnd();
    return { ok: true, match };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return { ok: false, message: `invalid constraints expression \`${expression}\`: ${err.message}` };
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (text.startsWith('&&', i) || text.startsWith('||', i)) {
      tokens.push({ kind: 'op', text: text.slice(i, i + 2) as '&&' | '||', at: i });
      i += 2;
    } else if ('!(),'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch as '!' | '(' | ')' | ',', at: i });
      i++;
    } else if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end === -1) throw new ParseError(`unterminated \`...\` string at column ${i + 1}`);
      tokens.push({ kind: 'string', text: text.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (ch === '"') {
      const [value, end] = readQuoted(text, i);
      tokens.push({ kind: 'string', text: value, at: i });
      i = end;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'ident', text: match[0], at: i });
      i += match[0].length;
    } else {
      throw new ParseError(`unexpected "${ch}" at column ${i + 1}${ch === '&' || ch === '|' ? ` (use "${ch}${ch}")` : ''}`);
    }
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

/** A Go double-quoted string: `\"`, `\\`, `\n`, `\t` and the other single-character escapes. */
function readQuoted(text: string, start: number): [string, number] {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '"') return [out, i + 1];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[i + 1] ?? '';
    const replacement = escapes[next];
    if (replacement === undefined) throw new ParseError(`unknown escape "\\${next}" at column ${i + 1} (write "\\\\" for a backslash, or use a \`raw\` string)`);
    out += replacement;
    i++;
  }
  throw new ParseError(`unterminated "..." string at column ${start + 1}`);
}

class Parser {
  private index = 0;
  private readonly tokens: Token[];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parseOr(): Constraint {
    let left = this.parseAnd();
    while (this.isOp('||')) {
      this.index++;
      const a = left;
      const b = this.parseAnd();
      left = (labels) => a(labels) || b(labels);
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw new ParseError(`unexpected ${describe(token)} at column ${token.at + 1} (expected "&&", "||" or the end)`);
  }

  private parseAnd(): Constraint {
    let left = this.parseUnary();
    while (this.isOp('&&')) {
      this.index++;
      const a = left;
      const b = this.parseUnary();
      left = (labels) => a(labels) && b(labels);
    }
    return left;
  }

  private parseUnary(): Constraint {
    if (this.isOp('!')) {
      this.index++;
      const inner = this.parseUnary();
      return (labels) => !inner(labels);
    }
    if (this.isOp('(')) {
      this.index++;
      const inner = this.parseOr();
      this.expectOp(')');
      return inner;
    }
    return this.parseCall();
  }

  private parseCall(): Constraint {
    const token = this.next();
    if (token.kind !== 'ident') throw new ParseError(`expected Label(...) or LabelRegex(...) at column ${token.at + 1}, got ${describe(token)}`);
    if (!FUNCTIONS.includes(token.text)) {
      throw new ParseError(`unknown function "${token.text}" at column ${token.at + 1}${didYouMean(token.text, FUNCTIONS)}; use Label or LabelRegex`);
    }
    this.expectOp('(');
    const args: string[] = [];
    while (!this.isOp(')')) {
      const arg = this.next();
      if (arg.kind !== 'string') throw new ParseError(`expected a quoted string at column ${arg.at + 1}, got ${describe(arg)}`);
      args.push(arg.text);
      if (this.isOp(',')) this.index++;
      else if (!this.isOp(')')) throw new ParseError(`expected "," or ")" at column ${this.peek().at + 1}, got ${describe(this.peek())}`);
    }
    this.index++;
    if (args.length !== 2) throw new ParseError(`${token.text} takes 2 arguments (label name, ${token.text === 'Label' ? 'value' : 'regular expression'}), got ${args.length} at column ${token.at + 1}`);
    const [name, value] = args as [string, string];
    if (token.text === 'Label') return (labels) => labels[name] === value;
    const compiled = compileRegex(value);
    if (!compiled.ok) throw new ParseError(compiled.message);
    const regex: SafeRegex = compiled.regex;
    // Go's map lookup gives "" for a missing label, and the pattern is matched against that.
    return (labels) => regex.test(labels[name] ?? '');
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isOp(text: string): boolean {
    const token = this.peek();
    return token.kind === 'op' && token.text === text;
  }

  private expectOp(text: string): void {
    const token = this.next();
    if (token.kind !== 'op' || token.text !== text) throw new ParseError(`expected "${text}" at column ${token.at + 1}, got ${describe(token)}`);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end': return 'the end of the expression';
    case 'string': return `the string "${token.text}"`;
    default: return `"${token.text}"`;
  }
}
