import { ErrorCodes } from '../../errors/codes.js';
import { MiddlewareBuildError } from './middleware.js';

/** What a circuit breaker expression reads: the rolling metrics of its middleware instance. */
export interface BreakerMetrics {
  networkErrorRatio(): number;
  responseCodeRatio(fromA: number, toA: number, fromB: number, toB: number): number;
  /** Latency at `quantile` percent, in whole milliseconds. */
  latencyAtQuantileMs(quantile: number): number;
  requestCount(): number;
}

export type Condition = (metrics: BreakerMetrics) => boolean;

type Token = { kind: 'name' | 'number' | 'op' | 'punct'; text: string; at: number };

const FUNCTIONS: Readonly<Record<string, { arity: number; read: (m: BreakerMetrics, args: number[]) => number }>> = {
  NetworkErrorRatio: { arity: 0, read: (m) => m.networkErrorRatio() },
  ResponseCodeRatio: { arity: 4, read: (m, a) => m.responseCodeRatio(a[0] as number, a[1] as number, a[2] as number, a[3] as number) },
  LatencyAtQuantileMS: { arity: 1, read: (m, a) => m.latencyAtQuantileMs(a[0] as number) },
  RequestThreshold: { arity: 0, read: (m) => m.requestCount() },
};

const COMPARE: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/**
 * Parses oxy's circuit breaker language (vulcand/predicate with the cbreaker functions):
 * `NetworkErrorRatio() > 0.5 || ResponseCodeRatio(500, 600, 0, 600) > 0.25 && RequestThreshold() >= 20`.
 * A comparison is a function call on the left and a number on the right; `&&` binds tighter than `||`;
 * parentheses group. Everything is checked here, once; evaluation is closures only.
 */
export function parseBreakerExpression(source: string): Condition {
  const tokens = tokenize(source);
  let pos = 0;
  const fail = (message: string, at = tokens[pos]?.at ?? source.length): never => {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `expression: ${message} at position ${at + 1} of "${source}" (e.g. "NetworkErrorRatio() > 0.5")`);
  };
  const peek = (): Token | undefined => tokens[pos];
  const expect = (text: string): void => {
    if (peek()?.text !== text) fail(`expected "${text}"`);
    pos++;
  };

  /** `operand (operator operand)*`, combined with any (||) or all (&&). */
  const chained = (operator: string, operand: () => Condition, all: boolean) => (): Condition => {
    const parts = [operand()];
    while (peek()?.text === operator) {
      pos++;
      parts.push(operand());
    }
    if (parts.length === 1) return parts[0] as Condition;
    return all ? (m) => parts.every((p) => p(m)) : (m) => parts.some((p) => p(m));
  };
  const and = (): Condition => chained('&&', term, true)();
  const or = chained('||', and, false);
  const term = (): Condition => {
    if (peek()?.text === '(') {
      pos++;
      const inner = or();
      expect(')');
      return inner;
    }
    const name = peek();
    if (name?.kind !== 'name') return fail('expected a function such as NetworkErrorRatio()');
    const fn = FUNCTIONS[name.text];
    if (fn === undefined) return fail(`unknown function "${name.text}" (known: ${Object.keys(FUNCTIONS).join(', ')})`, name.at);
    pos++;
    expect('(');
    const args: number[] = [];
    while (peek()?.text !== ')') {
      if (args.length > 0) expect(',');
      const arg = peek();
      if (arg?.kind !== 'number') return fail(`${name.text} takes numbers`);
      args.push(Number(arg.text));
      pos++;
    }
    expect(')');
    if (args.length !== fn.arity) fail(`${name.text} takes ${fn.arity} argument${fn.arity === 1 ? '' : 's'}, got ${args.length}`, name.at);
    const op = peek();
    const compare = op?.kind === 'op' ? COMPARE[op.text] : undefined;
    if (compare === undefined) return fail('expected a comparison (==, !=, <, <=, >, >=)');
    pos++;
    const value = peek();
    if (value?.kind !== 'number') return fail('expected a number after the comparison');
    pos++;
    const threshold = Number(value.text);
    return (m) => compare(fn.read(m, args), threshold);
  };

  const condition = or();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]?.text}"`);
  return condition;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:([A-Za-z_]\w*)|(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+)|(&&|\|\||==|!=|<=|>=|<|>)|([(),]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(source);
    if (match === null) {
      throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `expression: unexpected character at position ${at + 1} of "${source}"`);
    }
    const start = at + match[0].length - (match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').length;
    if (match[1] !== undefined) tokens.push({ kind: 'name', text: match[1], at: start });
    else if (match[2] !== undefined) tokens.push({ kind: 'number', text: match[2], at: start });
    else if (match[3] !== undefined) tokens.push({ kind: 'op', text: match[3], at: start });
    else tokens.push({ kind: 'punct', text: match[4] as string, at: start });
    at = pattern.lastIndex;
  }
  return tokens;
}
