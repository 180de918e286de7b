import type { ServerResponse } from 'node:http';
import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { sendStatus } from '../handler.js';

/** Traefik's non-standard status for a client that went away before the answer (logged, never sent). */
export const STATUS_CLIENT_CLOSED = 499;

/** The reason both engines abort an upstream request with when the client connection closes first. */
export const CLIENT_GONE = new Error('the client closed the connection before the response was complete');

/** The error both engines raise when `forwardingTimeouts.responseHeaderTimeout` expires. */
export function responseHeaderTimeout(ms: number): BerthError {
  return new BerthError(ErrorCodes.UPSTREAM_TIMEOUT, `no response headers within responseHeaderTimeout (${ms} ms)`);
}

// Connection-level failures Go reports as non-timeout net.Errors: Traefik answers 502.
const BAD_GATEWAY_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', ErrorCodes.UPSTREAM_TIMEOUT]);

/**
 * The status Traefik's ComputeStatusCode gives a forwarding error: 504 for dial and response-header timeouts,
 * 502 for refused, reset or closed connections (Go's io.EOF) and for an unparsable response, 499 when the
 * client left, 500 otherwise. That includes TLS verification failures: Go's CertificateVerificationError is
 * not a net.Error, which is why Traefik users see "Internal Server Error" for an untrusted backend certificate.
 */
export function statusForError(err: unknown): number {
  if (err === CLIENT_GONE) return STATUS_CLIENT_CLOSED;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 500;
  if (TIMEOUT_CODES.has(code)) return 504;
  // HPE_*: the server's answer is not HTTP; ERR_INVALID_*: Node refuses to relay one of its headers.
  if (BAD_GATEWAY_CODES.has(code) || code.startsWith('HPE_') || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN') return 502;
  if (code === 'UND_ERR_ABORTED') return STATUS_CLIENT_CLOSED;
  return 500;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 504: 'Gateway Timeout' };

/** Traefik's body (without the newline) for a forwarding failure answered with `status`. */
export function forwardErrorText(status: number): string {
  return STATUS_TEXT[status] ?? 'Internal Server Error';
}

/**
 * Answers a forwarding failure. Before the response started, the client gets the status and Traefik's body;
 * after, the only honest signal is to cut the connection (a truncated body must not look complete). For a client
 * that left, nothing is sent: the status is recorded as 499 for the access log.
 */
export function answerForwardError(res: ServerResponse, status: number): void {
  if (status === STATUS_CLIENT_CLOSED) {
    if (!res.headersSent) res.statusCode = STATUS_CLIENT_CLOSED;
    if (!res.destroyed) res.destroy();
    return;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendStatus(res, status, forwardErrorText(status));
}
