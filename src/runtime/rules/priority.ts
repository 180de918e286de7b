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
 * disabled with BERTH_ERR_PRIORITY_TOO_HIGH, the range above being kept for internal routers. Caveat: a JS number
 * holds integers exactly only up to 2^53, so this constant reads 9223372036854774784 and priorities that close to
 * it compare approximately; the limit check itself still works at that magnitude.
 */
export const MAX_USER_PRIORITY = 9223372036854774807;
