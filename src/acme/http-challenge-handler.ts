import type { Handler } from '../runtime/handler.js';
import { HTTP_CHALLENGE_PREFIX, type HttpChallengeStore } from './challenges/http-01.js';

/**
 * The `acme-http@internal` service behind the internal `acme-http` router (PathPrefix
 * `/.well-known/acme-challenge/`, highest priority, on each `httpChallenge.entryPoint`): answers an HTTP-01
 * token with its key authorization when one of the resolvers has it pending for the request's host (Traefik
 * checks the host too), and an empty 404 otherwise. Traefik's handler waits up to a minute for a token it does not know,
 * for its cluster mode; Berth keeps tokens in the process that ordered them, so an unknown token is 404 at once.
 */
export function createHttpChallengeHandler(stores: () => readonly HttpChallengeStore[]): Handler {
  return (req, res, ctx) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const token = path.startsWith(HTTP_CHALLENGE_PREFIX) ? path.slice(HTTP_CHALLENGE_PREFIX.length) : '';
    let answer: string | undefined;
    if (token !== '' && !token.includes('/')) {
      for (const store of stores()) {
        answer = store.get(token, ctx.host);
        if (answer !== undefined) break;
      }
    }
    if (answer === undefined) {
      // Traefik answers an empty 404.
      res.writeHead(404, { 'content-length': '0' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  };
}
