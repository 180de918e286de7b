import type { MiddlewareFactory } from './middleware.js';
import { splitTarget } from './url-path.js';

/** Which escapes are allowed: the encodedCharacters middleware's options, and the entrypoint's `http.encodedCharacters`. */
export interface EncodedCharacterPolicy {
  readonly allowEncodedSlash: boolean;
  readonly allowEncodedBackSlash: boolean;
  readonly allowEncodedNullCharacter: boolean;
  readonly allowEncodedSemicolon: boolean;
  readonly allowEncodedPercent: boolean;
  readonly allowEncodedQuestionMark: boolean;
  readonly allowEncodedHash: boolean;
}

/**
 * The check shared by the encodedCharacters middleware and the entrypoint option: a function that tells whether a
 * request target's path holds a refused escape (`%2F`, `%5C`, `%00`, `%3B`, `%25`, `%3F`, `%23`, either case) or a
 * truncated one, or undefined when the policy allows everything (nothing to check per request).
 */
export function encodedCharacterCheck(policy: EncodedCharacterPolicy): ((url: string) => boolean) | undefined {
  const denied = new Set<string>();
  const deny = (allowed: boolean, ...codes: string[]): void => {
    if (!allowed) for (const code of codes) denied.add(code);
  };
  deny(policy.allowEncodedSlash, '2F');
  deny(policy.allowEncodedBackSlash, '5C');
  deny(policy.allowEncodedNullCharacter, '00');
  deny(policy.allowEncodedSemicolon, '3B');
  deny(policy.allowEncodedPercent, '25');
  deny(policy.allowEncodedQuestionMark, '3F');
  deny(policy.allowEncodedHash, '23');
  if (denied.size === 0) return undefined;
  return (url) => {
    if (!url.includes('%')) return false;
    const path = splitTarget(url).rawPath;
    for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', i + 3)) {
      if (i + 2 >= path.length || denied.has(path.slice(i + 1, i + 3).toUpperCase())) return true;
    }
    return false;
  };
}

/**
 * encodedCharacters (3.7): answers 400 to requests whose path contains one of the percent-encoded characters
 * not explicitly allowed (`%2F`, `%5C`, `%00`, `%3B`, `%25`, `%3F`, `%23`), which backends may decode into
 * path separators or delimiters and so read a different path than the router matched.
 */
export const encodedCharacters: MiddlewareFactory<'encodedCharacters'> = (options) => {
  const refused = encodedCharacterCheck(options);
  if (refused === undefined) return (next) => next;
  return (next) => (req, res, ctx) => {
    if (refused(req.url ?? '/')) {
      res.writeHead(400, { 'content-length': 0 });
      res.end();
      return;
    }
    next(req, res, ctx);
  };
};
