import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { createCloudflareProvider } from './cloudflare.js';
import type { DnsProvider, Environment } from './dns-provider.js';
import { createExecProvider } from './exec.js';
import { createHttpReqProvider } from './httpreq.js';

/** The DNS providers Berth implements, by lego's names. */
export const DNS_PROVIDERS = ['cloudflare', 'exec', 'httpreq'] as const;

/** Makes the provider `dnsChallenge.provider` names; credentials come from the environment, as with lego. */
export function createDnsProvider(name: string, env: Environment, options: { cloudflareApi?: string } = {}): DnsProvider {
  switch (name) {
    case 'exec':
      return createExecProvider(env);
    case 'httpreq':
      return createHttpReqProvider(env);
    case 'cloudflare':
      return createCloudflareProvider(env, options.cloudflareApi);
    default:
      throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `unknown DNS provider "${name}": Berth implements ${DNS_PROVIDERS.join(', ')}; for others, use "exec" or "httpreq" with a script or a small API`);
  }
}
