import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { secondsFromEnv, type DnsProvider, type Environment } from './dns-provider.js';

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';

interface CloudflareEnvelope<T> {
  success: boolean;
  errors?: Array<{ code: number; message: string }>;
  result: T;
}

/**
 * Cloudflare through its documented REST API (v4): find the zone (`GET /zones?name=`), create the TXT record
 * (`POST /zones/{id}/dns_records`), delete it (`DELETE /zones/{id}/dns_records/{record}`). Credentials as lego
 * reads them: CF_DNS_API_TOKEN (or CLOUDFLARE_DNS_API_TOKEN), else CF_API_EMAIL + CF_API_KEY (or
 * CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY). `apiBase` is injectable for tests.
 */
export function createCloudflareProvider(env: Environment, apiBase: string = CLOUDFLARE_API): DnsProvider {
  const token = env['CF_DNS_API_TOKEN'] ?? env['CLOUDFLARE_DNS_API_TOKEN'];
  const zoneToken = env['CF_ZONE_API_TOKEN'] ?? env['CLOUDFLARE_ZONE_API_TOKEN'] ?? token;
  const email = env['CF_API_EMAIL'] ?? env['CLOUDFLARE_EMAIL'];
  const key = env['CF_API_KEY'] ?? env['CLOUDFLARE_API_KEY'];
  const auth = (forZones: boolean): Record<string, string> => {
    if (token !== undefined && token !== '') return { authorization: `Bearer ${forZones ? zoneToken : token}` };
    if (email !== undefined && key !== undefined) return { 'x-auth-email': email, 'x-auth-key': key };
    throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, 'the "cloudflare" DNS provider needs CF_DNS_API_TOKEN, or CF_API_EMAIL and CF_API_KEY');
  };
  auth(false);
  const ttl = Number(env['CLOUDFLARE_TTL'] ?? env['CF_TTL'] ?? 120);
  const records = new Map<string, { zone: string; id: string }>();

  const api = async <T>(method: string, path: string, signal: AbortSignal, body?: unknown, forZones = false): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${apiBase}${path}`, {
        method,
        headers: { ...auth(forZones), 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
      });
    } catch (err) {
      throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `cloudflare: ${method} ${path} failed: ${(err as Error).message}`, { cause: err });
    }
    const envelope = await response.json().catch(() => undefined) as CloudflareEnvelope<T> | undefined;
    if (!response.ok || envelope?.success !== true) {
      const detail = envelope?.errors?.map((e) => `${e.code}: ${e.message}`).join('; ') ?? `HTTP ${response.status}`;
      throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `cloudflare: ${method} ${path}: ${detail}`);
    }
    return envelope.result;
  };

  /** The zone holding `fqdn`: the longest parent name Cloudflare knows as a zone. */
  const findZone = async (fqdn: string, signal: AbortSignal): Promise<string> => {
    const labels = fqdn.replace(/\.$/, '').split('.');
    for (let i = 1; i < labels.length; i++) {
      const candidate = labels.slice(i).join('.');
      if (!candidate.includes('.')) break;
      const zones = await api<Array<{ id: string; name: string }>>('GET', `/zones?name=${encodeURIComponent(candidate)}`, signal, undefined, true);
      const zone = zones.find((z) => z.name === candidate);
      if (zone !== undefined) return zone.id;
    }
    throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `cloudflare: no zone of this account holds ${fqdn}`);
  };

  return {
    name: 'cloudflare',
    async present(record, signal) {
      const zone = await findZone(record.fqdn, signal);
      const created = await api<{ id: string }>('POST', `/zones/${zone}/dns_records`, signal, { type: 'TXT', name: record.fqdn.replace(/\.$/, ''), content: record.value, ttl });
      records.set(`${record.fqdn} ${record.value}`, { zone, id: created.id });
    },
    async cleanup(record, signal) {
      const known = records.get(`${record.fqdn} ${record.value}`);
      if (known === undefined) return;
      await api('DELETE', `/zones/${known.zone}/dns_records/${known.id}`, signal);
      records.delete(`${record.fqdn} ${record.value}`);
    },
    propagationTimeoutMs: secondsFromEnv(env, 'CLOUDFLARE_PROPAGATION_TIMEOUT', 120),
    pollingIntervalMs: secondsFromEnv(env, 'CLOUDFLARE_POLLING_INTERVAL', 2),
  };
}
