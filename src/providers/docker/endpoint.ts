import { join } from 'node:path';
import type { DockerProviderSettings } from '../../config/static/providers.js';
import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';

export const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock';

/** Where and how to reach the Docker Engine API. */
export interface EngineEndpoint {
  /** The endpoint as configured (or taken from DOCKER_HOST), for messages. */
  readonly url: string;
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly protocol: 'http' | 'https';
  /** Client TLS files and verification, for `https`. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly insecureSkipVerify: boolean };
}

/**
 * Resolves `providers.docker.endpoint` (pure): `unix:///path`, `tcp://host:port` (TLS when `tls` is set),
 * `http://` and `https://`. DOCKER_HOST (with DOCKER_CERT_PATH and DOCKER_TLS_VERIFY, as the docker CLI reads
 * them) is used when the endpoint is left at its default, so `docker context`-style setups work unchanged.
 */
export function resolveEndpoint(settings: DockerProviderSettings, env: Readonly<Record<string, string | undefined>>): EngineEndpoint {
  const fromEnv = settings.endpoint === DEFAULT_ENDPOINT && env['DOCKER_HOST'] !== undefined && env['DOCKER_HOST'] !== '';
  const url = fromEnv ? (env['DOCKER_HOST'] as string) : settings.endpoint;
  let tls = settings.tls === undefined ? undefined : { ...settings.tls };
  if (fromEnv && tls === undefined && env['DOCKER_CERT_PATH']) {
    const dir = env['DOCKER_CERT_PATH'];
    tls = { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), insecureSkipVerify: env['DOCKER_TLS_VERIFY'] !== '1' };
  }

  const match = /^([a-z]+):\/\/(.*)$/i.exec(url);
  const scheme = match?.[1]?.toLowerCase();
  const rest = match?.[2] ?? '';
  const where = fromEnv ? 'DOCKER_HOST' : 'providers.docker.endpoint';
  if (scheme === 'unix') {
    if (rest === '') throw new BerthError(ErrorCodes.INVALID_VALUE, `"${url}" names no socket path; write unix:///var/run/docker.sock`, { where });
    return { url, socketPath: rest, protocol: 'http' };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    const secure = scheme === 'https' || (scheme === 'tcp' && tls !== undefined);
    let parsed: URL;
    try {
      parsed = new URL(`${secure ? 'https' : 'http'}://${rest}`);
    } catch {
      throw new BerthError(ErrorCodes.INVALID_VALUE, `"${url}" is not a valid address; write tcp://host:2376`, { where });
    }
    const port = parsed.port === '' ? (secure ? 2376 : 2375) : Number(parsed.port);
    return { url, host: parsed.hostname.replace(/^\[|\]$/g, ''), port, protocol: secure ? 'https' : 'http', ...(tls === undefined ? {} : { tls }) };
  }
  if (scheme === 'ssh') {
    throw new BerthError(ErrorCodes.NOT_SUPPORTED, `ssh:// Docker endpoints are not supported; reach the daemon through its socket, tcp:// with TLS, or a socket proxy`, { where });
  }
  throw new BerthError(ErrorCodes.INVALID_VALUE, `"${url}" is not a Docker endpoint; use unix:///var/run/docker.sock, tcp://host:port or https://host:port`, { where });
}
