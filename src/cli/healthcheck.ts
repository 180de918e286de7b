import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseEntryPointAddress } from '../config/static/address.js';
import type { StaticConfig } from '../config/static/schema.js';

export interface HealthcheckResult {
  readonly ok: boolean;
  /** One line for the terminal: `OK: http://127.0.0.1:8080/ping`, or what went wrong. */
  readonly message: string;
}

export interface HealthcheckOptions {
  /** Traefik's healthcheck gives up after 5 seconds. */
  readonly timeoutMs?: number;
}

/**
 * Traefik's `healthcheck` command: requests `/ping` on the ping entryPoint of this static configuration and
 * succeeds on 200, which is what a Docker HEALTHCHECK runs. An unspecified host (empty, 0.0.0.0, ::) is reached on
 * 127.0.0.1. When the entryPoint terminates TLS, HTTPS is used without verifying the certificate: the check talks
 * to this very instance, usually over loopback, whose certificate may be the self-signed default.
 */
export function runHealthcheck(config: StaticConfig, options: HealthcheckOptions = {}): Promise<HealthcheckResult> {
  if (config.ping === undefined) {
    return Promise.resolve({ ok: false, message: 'ping is not enabled: add "ping: {}" to the configuration or pass --ping' });
  }
  const name = config.ping.entryPoint;
  const entryPoint = config.entryPoints[name];
  if (entryPoint === undefined) return Promise.resolve({ ok: false, message: `the ping entryPoint "${name}" is not defined` });
  const address = parseEntryPointAddress(entryPoint.address);
  if ('error' in address) return Promise.resolve({ ok: false, message: `the ping entryPoint "${name}": ${address.error}` });
  if (address.port === 0) return Promise.resolve({ ok: false, message: `the ping entryPoint "${name}" listens on a random port (${entryPoint.address}); give it a fixed port` });

  const unspecified = address.host === '' || address.host === '0.0.0.0' || address.host === '::';
  const host = unspecified ? '127.0.0.1' : address.host;
  const tls = entryPoint.http.tls !== undefined;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}/ping`;
  return get(url, tls, options.timeoutMs ?? 5_000);
}

/** GETs `url` and succeeds on 200 (for a `berth whoami` container's /health, see healthcheck-target.ts). */
export function probeUrl(url: string, options: HealthcheckOptions = {}): Promise<HealthcheckResult> {
  return get(url, url.startsWith('https:'), options.timeoutMs ?? 5_000);
}

function get(url: string, tls: boolean, timeoutMs: number): Promise<HealthcheckResult> {
  return new Promise((resolve) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const send = tls ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', signal, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status === 200 ? { ok: true, message: `OK: ${url}` } : { ok: false, message: `${url} answered ${status}, expected 200` });
    });
    req.on('error', (err) => {
      const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : err.message;
      resolve({ ok: false, message: `${url}: ${reason}` });
    });
    req.end();
  });
}
