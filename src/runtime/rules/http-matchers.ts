import type { IncomingHttpHeaders } from 'node:http';
import { compileRegex } from '../../util/safe-regex.js';
import { matcherNamesFor, matcherValues, type MatcherNode, type RuleNode } from './ast.js';
import { compileTree, type PredicateResult } from './compile-tree.js';
import { hostKey, hostPredicate, isAscii } from './host-match.js';
import { compileIpMatcher } from './ip-match.js';
import { parseQuery } from './query.js';

/**
 * What HTTP matchers look at; the entrypoint fills it once per request. `query` is filled lazily by the first
 * Query/QueryRegexp matcher that needs it and reused by the others.
 */
export interface HttpMatchInput {
  /** Canonical host (`canonicalHost` / `requestHost`): lower-case, no port, no trailing dot; '' when none. */
  host: string;
  method: string;
  /** The routing path (`routingPath`). */
  path: string;
  headers: IncomingHttpHeaders;
  /**
   * `req.rawHeaders` when available. Header and HeaderRegexp then compare each header line, as Go's `Header` map
   * holds them; `headers` alone has repeated lines joined with ", " (or dropped, for some names) by Node.
   */
  rawHeaders?: readonly string[];
  /** The raw query (`targetQuery`), with `;` already encoded as `%3B` when the entrypoint sets encodeQuerySemicolons. */
  rawQuery: string;
  /** The connection's remote address (after PROXY protocol); Node's `::ffff:a.b.c.d` form is fine. */
  clientIp: string;
  query?: URLSearchParams;
}

export type HttpMatcher = (input: HttpMatchInput) => boolean;

export type HttpRuleResult = { ok: true; match: HttpMatcher; hosts: string[] } | { ok: false; message: string };

type Built = PredicateResult<HttpMatchInput>;

/**
 * Compiles a parsed rule into one predicate for HTTP routers; every regex is compiled here, once, on re2js.
 * `hosts` lists every Host() value lower-cased, whatever the operators around it (Traefik's `ParseDomains`, used
 * for ACME domains and TLS options). Never throws; a failure is a BERTH_ERR_RULE_MATCHER with the column.
 */
export function compileHttpRule(ast: RuleNode): HttpRuleResult {
  const built = compileTree(ast, compileHttpMatcher);
  if (!built.ok) return built;
  return { ok: true, match: built.match, hosts: matcherValues(ast, 'Host') };
}

function compileHttpMatcher(node: MatcherNode): Built {
  const [first = '', second] = node.args;
  switch (node.name) {
    case 'Host':
      return host(first);
    case 'HostRegexp':
      if (!isAscii(first)) return fail(`HostRegexp value "${first}" has non-ASCII characters; write the domain in punycode`);
      return withRegex(first, (re) => (input) => re.test(input.host));
    case 'Path':
    case 'PathPrefix':
      return path(node.name, first);
    case 'PathRegexp':
      return withRegex(first, (re) => (input) => re.test(input.path));
    case 'Method': {
      const method = first.toUpperCase();
      return { ok: true, match: (input) => input.method === method };
    }
    case 'Header':
      return header(first, (value) => value === second);
    case 'HeaderRegexp':
      return withRegex(second ?? '', (re) => header(first, (value) => re.test(value)).match);
    case 'Query':
      return query(first, (value) => value === (second ?? ''));
    case 'QueryRegexp':
      if (second === undefined) return query(first, (value) => value === '');
      return withRegex(second, (re) => query(first, (value) => re.test(value)).match);
    case 'ClientIP': {
      const checker = compileIpMatcher(first);
      if (!checker.ok) return checker;
      const contains = checker.contains;
      return { ok: true, match: (input) => contains(input.clientIp) };
    }
    default:
      return fail(
        `${node.name} is a TCP matcher and cannot be used in an HTTP rule; HTTP rules use ${matcherNamesFor('http').join(', ')}` +
          (node.name === 'HostSNI' ? ' (Host matches the request host)' : ''),
      );
  }
}

function fail(message: string): Built {
  return { ok: false, message };
}

function withRegex(pattern: string, build: (re: { test(input: string): boolean }) => HttpMatcher): Built {
  const compiled = compileRegex(pattern);
  if (!compiled.ok) return fail(compiled.message);
  return { ok: true, match: build(compiled.regex) };
}

function host(value: string): Built {
  if (!isAscii(value)) return fail(`Host value "${value}" has non-ASCII characters; write the domain in punycode (xn--...)`);
  const key = hostKey(value);
  if (key.kind === 'any') return { ok: true, match: () => true };
  const matches = hostPredicate(key);
  // Traefik: an empty request host matches no Host() but the catch-all.
  return { ok: true, match: (input) => input.host !== '' && matches(input.host) };
}

function path(name: 'Path' | 'PathPrefix', value: string): Built {
  if (!value.startsWith('/')) return fail(`${name} value "${value}" must start with '/' (${name}(\`/${value}\`))`);
  if (name === 'Path') return { ok: true, match: (input) => input.path === value };
  return { ok: true, match: (input) => input.path.startsWith(value) };
}

/**
 * Header and HeaderRegexp: any value of the header satisfies `test`. Names compare case-insensitively (Go
 * canonicalises them). Go keeps `Host` and HTTP/2 pseudo-headers out of the `Header` map, so they never match.
 */
function header(rawName: string, test: (value: string) => boolean): { ok: true; match: HttpMatcher } {
  const name = rawName.toLowerCase();
  if (name === 'host' || name.startsWith(':')) return { ok: true, match: () => false };
  return {
    ok: true,
    match(input) {
      const raw = input.rawHeaders;
      if (raw !== undefined) {
        for (let i = 0; i + 1 < raw.length; i += 2) {
          const key = raw[i] as string;
          if (key.length === name.length && key.toLowerCase() === name && test(raw[i + 1] as string)) return true;
        }
        return false;
      }
      const value = input.headers[name];
      if (value === undefined) return false;
      return typeof value === 'string' ? test(value) : value.some(test);
    },
  };
}

/** Query and QueryRegexp: the key is present and one of its values satisfies `test`. */
function query(key: string, test: (value: string) => boolean): { ok: true; match: HttpMatcher } {
  return {
    ok: true,
    match(input) {
      const params = (input.query ??= parseQuery(input.rawQuery));
      return params.getAll(key).some(test);
    },
  };
}
