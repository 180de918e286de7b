import type { MatcherNode, RuleNode } from './ast.js';
import { Lexer, describeToken, type LexError, type Token } from './lexer.js';
import { arityProblem, quoteArgument, resolveMatcherName, unknownMatcherMessage } from './matcher-names.js';

export type ParseResult = { ok: true; ast: RuleNode } | { ok: false; message: string; column: number };

/** Deeper nesting is refused so that no rule can exhaust the stack of the parser or of the compiled matcher. */
export const MAX_NESTING = 64;
/** More matchers than this in one rule is refused for the same reason; real rules have a handful. */
export const MAX_MATCHERS = 1000;

/**
 * Parses a Traefik v3 rule: matcher calls with string arguments in backticks or double quotes (Go escapes),
 * `&&` (binds tighter), `||`, unary `!` and parentheses. Matcher names are checked against every HTTP and TCP
 * matcher with strict arity; whether a matcher suits the router's protocol is the compiler's business. Never
 * throws: a failure names the 1-based column and what was expected there. A failure is a BERTH_ERR_RULE_SYNTAX.
 */
export function parseRule(text: string): ParseResult {
  try {
    return { ok: true, ast: new RuleParser(text).parseWhole() };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, message: err.message, column: err.column };
    throw err;
  }
}

class SyntaxFailure extends Error {
  readonly column: number;

  constructor(column: number, message: string) {
    super(`column ${column}: ${message}`);
    this.column = column;
  }
}

class RuleParser {
  readonly #lexer: Lexer;
  #token: Token;
  #depth = 0;
  #matchers = 0;

  constructor(text: string) {
    this.#lexer = new Lexer(text);
    this.#token = this.#read();
  }

  parseWhole(): RuleNode {
    if (this.#kind() === 'eof') throw new SyntaxFailure(1, 'the rule is empty; expected a matcher such as Host(`example.com`)');
    const node = this.#or();
    if (this.#kind() !== 'eof') this.#fail("expected '&&', '||' or end of rule");
    return node;
  }

  #read(): Token {
    const token: Token | LexError = this.#lexer.next();
    if (token.kind === 'error') throw new SyntaxFailure(token.column, token.message);
    return token;
  }

  /** The current token's kind; a method so that TypeScript does not keep a narrowing across `#advance()`. */
  #kind(): Token['kind'] {
    return this.#token.kind;
  }

  /** The current token. */
  #peek(): Token {
    return this.#token;
  }

  #advance(): Token {
    const current = this.#token;
    this.#token = this.#read();
    return current;
  }

  #fail(expected: string): never {
    throw new SyntaxFailure(this.#token.column, `${expected}, found ${describeToken(this.#token)}`);
  }

  #or(): RuleNode {
    let node = this.#and();
    while (this.#kind() === '||') {
      this.#advance();
      node = { type: 'or', left: node, right: this.#and() };
    }
    return node;
  }

  #and(): RuleNode {
    let node = this.#unary();
    while (this.#kind() === '&&') {
      this.#advance();
      node = { type: 'and', left: node, right: this.#unary() };
    }
    return node;
  }

  #unary(): RuleNode {
    if (this.#kind() !== '!') return this.#primary();
    this.#advance();
    return this.#nested(() => negate(this.#unary()));
  }

  #primary(): RuleNode {
    const token = this.#token;
    if (token.kind === '(') {
      this.#advance();
      const node = this.#nested(() => this.#or());
      if (this.#kind() !== ')') this.#fail(`expected ')' to close the '(' at column ${token.column}`);
      this.#advance();
      return node;
    }
    if (token.kind === 'ident') return this.#call(token.text, token.column);
    return this.#fail("expected a matcher such as Host(`example.com`), '!' or '('");
  }

  #nested(parse: () => RuleNode): RuleNode {
    if (++this.#depth > MAX_NESTING) this.#fail(`the rule nests deeper than ${MAX_NESTING} levels`);
    const node = parse();
    this.#depth--;
    return node;
  }

  #call(spelling: string, column: number): MatcherNode {
    const name = resolveMatcherName(spelling);
    if (name === undefined) throw new SyntaxFailure(column, unknownMatcherMessage(spelling));
    if (++this.#matchers > MAX_MATCHERS) throw new SyntaxFailure(column, `the rule has more than ${MAX_MATCHERS} matchers`);
    this.#advance();
    if (this.#kind() !== '(') this.#fail(`expected '(' after ${name}`);
    this.#advance();
    const args: string[] = [];
    const argColumns: number[] = [];
    // Go's call syntax: arguments separated by commas, a trailing comma allowed (`Host(`a`,)` is valid Go).
    while (this.#kind() !== ')') {
      const arg = this.#peek();
      if (arg.kind !== 'string') {
        this.#fail(args.length === 0 ? "expected an argument in backticks or double quotes, or ')'" : "expected an argument in backticks or double quotes after ','");
      }
      args.push(arg.value);
      argColumns.push(arg.column);
      this.#advance();
      if (this.#kind() === ',') this.#advance();
      else if (this.#kind() !== ')') this.#fail("expected ')' or ',' after argument");
    }
    this.#advance();
    const arity = arityProblem(name, args);
    if (arity !== undefined) throw new SyntaxFailure(column, arity);
    const empty = args.indexOf('');
    if (empty !== -1) {
      throw new SyntaxFailure(argColumns[empty] ?? column, `empty argument to ${name}; give it a value, e.g. ${name}(${quoteArgument(EXAMPLES[name] ?? 'value')})`);
    }
    return { type: 'matcher', name, args, negated: false, column };
  }
}

const EXAMPLES: Readonly<Record<string, string>> = {
  Host: 'example.com',
  HostSNI: 'example.com',
  Path: '/api',
  PathPrefix: '/api',
  Method: 'GET',
  ClientIP: '192.168.0.0/16',
  ALPN: 'h2',
};

/** `!` pushed down with De Morgan's laws, as Traefik's `invert` does: leaves flip, `&&` and `||` swap. */
function negate(node: RuleNode): RuleNode {
  if (node.type === 'matcher') return { ...node, negated: !node.negated };
  return { type: node.type === 'and' ? 'or' : 'and', left: negate(node.left), right: negate(node.right) };
}
