import { Buffer } from 'node:buffer';

/**
 * Traefik's default router priority (`GetRulePriority`): the length of the rule string in bytes, spaces and
 * quotes included, so a longer (usually more specific) rule is tried first. Used when `priority` is 0 or unset.
 */
export function defaultPriority(rule: string): number {
  return Buffer.byteLength(rule, 'utf8');
}

/**
 * The highest priority a user may set: Traefik's MaxInt64 - 1000 (9223372036854774807); above it a router is
 * disabled with BERTH_ERR_PRIORITY_TOO_HIGH, the range above being kept for internal routers. Precision caveat: a
 * JS number holds integers exactly only up to 2^53; near 2^63 doubles are 1024 apart, so this constant reads
 * 9223372036854774784, a priority up to ~500 above the limit compares equal to it (and passes the check), and
 * priorities that close to each other may tie. Harmless in practice: nobody orders routers at that resolution.
 */
export const MAX_USER_PRIORITY = 9223372036854774807;
