import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { actionProvider, secondsFromEnv, type DnsChallengeRecord, type DnsProvider, type Environment } from './dns-provider.js';

/**
 * lego's `httpreq` provider: `POST <HTTPREQ_ENDPOINT>/present` and `/cleanup` with JSON `{fqdn, value}`, or
 * `{domain, token, keyAuth}` with `HTTPREQ_MODE=RAW`; basic auth with HTTPREQ_USERNAME/HTTPREQ_PASSWORD.
 */
export function createHttpReqProvider(env: Environment): DnsProvider {
  const endpoint = env['HTTPREQ_ENDPOINT'];
  if (endpoint === undefined || endpoint === '') {
    throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, 'the "httpreq" DNS provider needs HTTPREQ_ENDPOINT: set it to the URL of your DNS API');
  }
  const base = endpoint.replace(/\/+$/, '');
  const raw = env['HTTPREQ_MODE'] === 'RAW';
  const username = env['HTTPREQ_USERNAME'];
  const password = env['HTTPREQ_PASSWORD'];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (username !== undefined && password !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const timeoutMs = secondsFromEnv(env, 'HTTPREQ_HTTP_TIMEOUT', 30);

  const call = async (action: 'present' | 'cleanup', record: DnsChallengeRecord, signal: AbortSignal): Promise<void> => {
    const body = raw ? { domain: record.domain, token: record.token, keyAuth: record.keyAuthorization } : { fqdn: record.fqdn, value: record.value };
    let response: Response;
    try {
      response = await fetch(`${base}/${action}`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    } catch (err) {
      throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `httpreq: POST ${base}/${action} failed: ${(err as Error).message}`, { cause: err });
    }
    const text = await response.text();
    if (!response.ok) throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `httpreq: POST ${base}/${action} answered ${response.status}: ${text.slice(0, 300)}`);
  };
  return actionProvider('httpreq', 'HTTPREQ', env, call);
}
