import { closestMatch } from '../../util/suggest.js';
import { MATCHERS, MATCHER_NAMES, type MatcherName } from './ast.js';

/**
 * The four spellings Traefik registers for each matcher (`pkg/rules/parser.go`): exact (`PathPrefix`), lower
 * (`pathprefix`), upper (`PATHPREFIX`) and Go's `cases.Title` of the lower form (`Pathprefix`). Any other casing
 * is an unknown function in Traefik, so it is an error here too.
 */
export function spellingsOf(name: MatcherName): string[] {
  const lower = name.toLowerCase();
  return [...new Set([name, lower, name.toUpperCase(), lower.charAt(0).toUpperCase() + lower.slice(1)])];
}

const BY_SPELLING: ReadonlyMap<string, MatcherName> = new Map(
  MATCHER_NAMES.flatMap((name) => spellingsOf(name).map((spelling) => [spelling, name] as const)),
);

/** Matchers of Traefik v2 that v3 renamed, for a pointed hint. */
const V2_RENAMES: Readonly<Record<string, MatcherName>> = { hostheader: 'Host', headers: 'Header', headersregexp: 'HeaderRegexp' };

/** The canonical matcher name for one of its accepted spellings, or undefined. */
export function resolveMatcherName(spelling: string): MatcherName | undefined {
  return BY_SPELLING.get(spelling);
}

/** Why `spelling` is not a matcher, with the nearest valid name when there is one. */
export function unknownMatcherMessage(spelling: string): string {
  const lower = spelling.toLowerCase();
  const sameLetters = MATCHER_NAMES.find((name) => name.toLowerCase() === lower);
  if (sameLetters !== undefined) {
    return `'${spelling}' is not an accepted spelling of ${sameLetters}; write ${spellingsOf(sameLetters).join(', ')}`;
  }
  const renamed = V2_RENAMES[lower];
  if (renamed !== undefined) return `unknown matcher '${spelling}': Traefik v3 renamed it ${renamed}`;
  const nearest = closestMatch(spelling, MATCHER_NAMES);
  const hint = nearest === undefined ? `; known matchers: ${MATCHER_NAMES.join(', ')}` : ` (did you mean "${nearest}"?)`;
  return `unknown matcher '${spelling}'${hint}`;
}

const COUNT_WORDS = ['no', 'one', 'two', 'three'];

/** Checks the argument count of a matcher; returns the complaint, or undefined when the count is accepted. */
export function arityProblem(name: MatcherName, args: readonly string[]): string | undefined {
  const arity: readonly number[] = MATCHERS[name].arity;
  if (arity.includes(args.length)) return undefined;
  const expected = arity.map((n) => COUNT_WORDS[n] ?? String(n)).join(' or ');
  const plural = arity.length === 1 && arity[0] === 1 ? 'argument' : 'arguments';
  const form = ARGUMENT_FORMS[name] ?? '';
  const base = `${name} takes ${arity.length === 1 ? 'exactly ' : ''}${expected} ${plural}${form}, got ${args.length}`;
  if (arity.length === 1 && arity[0] === 1 && args.length > 1) {
    // Traefik v2 accepted Host(`a`, `b`); v3 rejects it (reference section 3.1, pain point #9).
    const rewrite = args.map((arg) => `${name}(${quoteArgument(arg)})`).join(' || ');
    return `${base}; Traefik v3 takes one value per matcher, so write ${rewrite}`;
  }
  return base;
}

const ARGUMENT_FORMS: Partial<Record<MatcherName, string>> = {
  Header: ' (name, value)',
  HeaderRegexp: ' (name, regexp)',
  Query: ' (key or key, value)',
  QueryRegexp: ' (key or key, regexp)',
};

/** A string argument as it could be written back in a rule. */
export function quoteArgument(value: string): string {
  return value.includes('`') ? JSON.stringify(value) : `\`${value}\``;
}
