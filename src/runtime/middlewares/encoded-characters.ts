import type { MiddlewareFactory } from './middleware.js';
import { splitTarget } from './url-path.js';

/**
 * encodedCharacters (3.7): answers 400 to requests whose path contains one of the percent-encoded characters
 * not explicitly allowed (`%2F`, `%5C`, `%00`, `%3B`, `%25`, `%3F`, `%23`), which backends may decode into
 * path separators or delimiters and so read a different path than the router matched.
 */
export const encodedCharacters: MiddlewareFactory<'encodedCharacters'> = (options) => {
  const denied = new Set<string>();
  const deny = (allowed: boolean, ...codes: string[]): void => {
    if (!allowed) for (const code of codes) denied.add(code);
  };
  deny(options.allowEncodedSlash, '2F');
  deny(options.allowEncodedBackSlash, '5C');
  deny(options.allowEncodedNullCharacter, '00');
  deny(options.allowEncodedSemicolon, '3B');
  deny(options.allowEncodedPercent, '25');
  deny(options.allowEncodedQuestionMark, '3F');
  deny(options.allowEncodedHash, '23');
  if (denied.size === 0) return (next) => next;
  return (next) => (req, res, ctx) => {
    const path = splitTarget(req.url ?? '/').rawPath;
    for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', i + 3)) {
      if (i + 2 >= path.length || denied.has(path.slice(i + 1, i + 3).toUpperCase())) {
        res.writeHead(400, { 'content-length': 0 });
        res.end();
        return;
      }
    }
    next(req, res, ctx);
  };
};
