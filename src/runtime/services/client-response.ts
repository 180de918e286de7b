import type { ServerResponse } from 'node:http';
import { clientResponseHeaders, trailerPairs } from './forward-headers.js';

/**
 * Writes the server's status and headers to the client, without the hop-by-hop ones. Headers set before the
 * forward (a sticky cookie, a middleware's) are kept and the server's are added after them, as Go's copyHeader
 * does with Header().Add; the common case (none set) passes the raw list to writeHead in one go. Returns true
 * when the server announced trailers: the announcement is repeated so that Node uses chunked encoding and the
 * trailers can follow the body (Go's ReverseProxy forwards them the same way).
 */
export function writeClientHead(res: ServerResponse, status: number, raw: ReadonlyArray<string | Buffer>): boolean {
  const headers: string[] = [];
  const trailer = clientResponseHeaders(raw, headers);
  if (trailer !== undefined) headers.push('trailer', trailer);
  if (res.getHeaderNames().length === 0) {
    res.writeHead(status, headers);
  } else {
    for (let i = 0; i < headers.length; i += 2) res.appendHeader(headers[i] as string, headers[i + 1] as string);
    res.writeHead(status);
  }
  return trailer !== undefined;
}

/** Ends the client response, with the server's trailers when it announced some. */
export function endClientResponse(res: ServerResponse, trailersAnnounced: boolean, rawTrailers: ReadonlyArray<string | Buffer> | null | undefined): void {
  if (trailersAnnounced && rawTrailers !== null && rawTrailers !== undefined && rawTrailers.length > 0) {
    res.addTrailers(trailerPairs(rawTrailers));
  }
  res.end();
}
