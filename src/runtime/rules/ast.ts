/**
 * The parsed form of a router rule: plain, serialisable data. As in Traefik (`pkg/rules/parser.go`), `!` is pushed
 * down to the matchers with De Morgan's laws while parsing, so the tree only has `and`, `or` and matcher leaves,
 * each leaf carrying its own `negated` flag. `!(Host(`a`) || Path(`/b`))` becomes `!Host(`a`) && !Path(`/b`)`.
 */
export type RuleNode = MatcherNode | BinaryNode;

export interface MatcherNode {
  readonly type: 'matcher';
  /** The canonical spelling (`PathPrefix`), whichever of the accepted spellings the rule used. */
  readonly name: MatcherName;
  /** The decoded string arguments (backticks taken literally, double quotes with Go escapes resolved). */
  readonly args: readonly string[];
  readonly negated: boolean;
  /** 1-based column of the matcher name in the rule text, for error messages. */
  readonly column: number;
}

export interface BinaryNode {
  readonly type: 'and' | 'or';
  readonly left: RuleNode;
  readonly right: RuleNode;
}

export type Protocol = 'http' | 'tcp';

interface MatcherSpec {
  /** The accepted argument counts. */
  readonly arity: readonly number[];
  readonly protocols: readonly Protocol[];
}

/**
 * Every matcher of Traefik v3 (`pkg/muxer/http/matcher.go`, `pkg/muxer/tcp/matcher.go`) with its strict arity.
 * The parser knows them all so that a TCP matcher in an HTTP rule (and the reverse) gets a precise message from
 * the compiler instead of "unknown matcher".
 */
export const MATCHERS = {
  Host: { arity: [1], protocols: ['http'] },
  HostRegexp: { arity: [1], protocols: ['http'] },
  Path: { arity: [1], protocols: ['http'] },
  PathPrefix: { arity: [1], protocols: ['http'] },
  PathRegexp: { arity: [1], protocols: ['http'] },
  Method: { arity: [1], protocols: ['http'] },
  Header: { arity: [2], protocols: ['http'] },
  HeaderRegexp: { arity: [2], protocols: ['http'] },
  Query: { arity: [1, 2], protocols: ['http'] },
  QueryRegexp: { arity: [1, 2], protocols: ['http'] },
  ClientIP: { arity: [1], protocols: ['http', 'tcp'] },
  HostSNI: { arity: [1], protocols: ['tcp'] },
  HostSNIRegexp: { arity: [1], protocols: ['tcp'] },
  ALPN: { arity: [1], protocols: ['tcp'] },
} as const satisfies Record<string, MatcherSpec>;

export type MatcherName = keyof typeof MATCHERS;

export const MATCHER_NAMES = Object.keys(MATCHERS) as readonly MatcherName[];

/** The matcher names usable in a rule of `protocol`, for messages. */
export function matcherNamesFor(protocol: Protocol): MatcherName[] {
  return MATCHER_NAMES.filter((name) => (MATCHERS[name].protocols as readonly Protocol[]).includes(protocol));
}

/** Visits the matcher leaves left to right (the order Traefik's `ParseMatchers` reports values in). */
export function forEachMatcher(node: RuleNode, visit: (matcher: MatcherNode) => void): void {
  if (node.type === 'matcher') {
    visit(node);
    return;
  }
  forEachMatcher(node.left, visit);
  forEachMatcher(node.right, visit);
}

/** The leftmost matcher called `name`, or undefined. */
export function findMatcher(node: RuleNode, name: MatcherName): MatcherNode | undefined {
  if (node.type === 'matcher') return node.name === name ? node : undefined;
  return findMatcher(node.left, name) ?? findMatcher(node.right, name);
}

/** The arguments of every `name` matcher, lower-cased, whatever the operators around them (Traefik's ParseDomains). */
export function matcherValues(node: RuleNode, name: MatcherName): string[] {
  const values: string[] = [];
  forEachMatcher(node, (matcher) => {
    if (matcher.name === name) for (const arg of matcher.args) values.push(arg.toLowerCase());
  });
  return values;
}
