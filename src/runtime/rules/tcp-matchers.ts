import { compileRegex } from '../../util/safe-regex.js';
import { findMatcher, matcherNamesFor, matcherValues, type MatcherNode, type RuleNode } from './ast.js';
import { compileTree, type PredicateResult } from './compile-tree.js';
import { hostKey, hostPredicate, isAscii } from './host-match.js';
import { compileIpMatcher } from './ip-match.js';
import { defaultPriority } from './priority.js';

/** What TCP matchers look at, known once the ClientHello (or, without TLS, the connection) is in. */
export interface TcpMatchInput {
  /** The SNI server name, lower-cased; '' without TLS or when the client sent none. */
  readonly serverName: string;
  readonly clientIp: string;
  /** The ALPN protocols the client offered. */
  readonly alpn: readonly string[];
}

export type TcpMatcher = (input: TcpMatchInput) => boolean;

export type TcpRuleResult =
  | {
      ok: true;
      match: TcpMatcher;
      /** Every HostSNI() value, lower-cased, whatever the operators (Traefik's `ParseHostSNI`). */
      hosts: string[];
      /** The rule is exactly ``HostSNI(`*`)``: TLS routing falls back to such routers last (Traefik's catchAll). */
      catchAll: boolean;
    }
  | { ok: false; message: string };

type Built = PredicateResult<TcpMatchInput>;

/** The ACME TLS-ALPN-01 protocol, reserved for challenges (lego's `tlsalpn01.ACMETLS1Protocol`). */
const ACME_TLS_ALPN = 'acme-tls/1';

// Traefik's `hostOrIP` check: an optional `*.` then word characters, dots, dashes and colons.
const HOST_OR_IP = /^(\*\.)?[\w.\-:]+$/;

/**
 * Compiles a parsed rule for a TCP router. Without TLS a router sees no server name, so Traefik refuses any
 * HostSNI but `*` there: like Traefik, the first HostSNI value of the rule must be `*`. Never throws; a failure
 * is a BERTH_ERR_RULE_MATCHER.
 */
export function compileTcpRule(ast: RuleNode, options: { readonly tls: boolean }): TcpRuleResult {
  const firstSni = findMatcher(ast, 'HostSNI');
  if (!options.tls && firstSni !== undefined && firstSni.args[0] !== '*') {
    return {
      ok: false,
      message:
        `column ${firstSni.column}: HostSNI(\`${firstSni.args[0] ?? ''}\`) needs TLS on the router: a TCP router without tls sees no server name, ` +
        'so only HostSNI(`*`) is allowed; add tls (or tls.passthrough) to route by SNI',
    };
  }
  const built = compileTree(ast, compileTcpMatcher);
  if (!built.ok) return built;
  return { ok: true, match: built.match, hosts: matcherValues(ast, 'HostSNI'), catchAll: isCatchAll(ast) };
}

/** True for exactly ``HostSNI(`*`)``. */
export function isCatchAll(ast: RuleNode): boolean {
  return ast.type === 'matcher' && ast.name === 'HostSNI' && !ast.negated && ast.args[0] === '*';
}

/** Traefik's TCP default priority: the rule length, except -1 for ``HostSNI(`*`)`` so the catch-all goes last. */
export function defaultTcpPriority(rule: string, ast: RuleNode): number {
  return isCatchAll(ast) ? -1 : defaultPriority(rule);
}

function compileTcpMatcher(node: MatcherNode): Built {
  const value = node.args[0] ?? '';
  switch (node.name) {
    case 'HostSNI': {
      if (value === '*') return { ok: true, match: () => true };
      if (!HOST_OR_IP.test(value)) return { ok: false, message: `HostSNI value "${value}" is not a valid host name (IDNs go in punycode)` };
      const matches = hostPredicate(hostKey(value));
      return { ok: true, match: (input) => input.serverName !== '' && matches(input.serverName) };
    }
    case 'HostSNIRegexp': {
      if (!isAscii(value)) return { ok: false, message: `HostSNIRegexp value "${value}" has non-ASCII characters; write the domain in punycode` };
      const compiled = compileRegex(value);
      if (!compiled.ok) return compiled;
      const re = compiled.regex;
      return { ok: true, match: (input) => re.test(input.serverName) };
    }
    case 'ClientIP': {
      const checker = compileIpMatcher(value);
      if (!checker.ok) return checker;
      const contains = checker.contains;
      return { ok: true, match: (input) => contains(input.clientIp) };
    }
    case 'ALPN':
      if (value === ACME_TLS_ALPN) return { ok: false, message: `ALPN(\`${ACME_TLS_ALPN}\`) is not allowed: the protocol is reserved for ACME TLS challenges` };
      return { ok: true, match: (input) => input.alpn.includes(value) };
    default:
      return {
        ok: false,
        message:
          `${node.name} is an HTTP matcher and cannot be used in a TCP rule; TCP rules use ${matcherNamesFor('tcp').join(', ')}` +
          (node.name === 'Host' ? ' (HostSNI matches the TLS server name)' : ''),
      };
  }
}
