import * as acme from 'acme-client';
import { BerthError } from '../errors/berth-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { sleep } from '../util/abort.js';
import type { HttpChallengeStore } from './challenges/http-01.js';
import type { TlsAlpnChallengeStore } from './challenges/tls-alpn-01.js';
import { challengeFqdn, waitForPropagation, type PropagationSettings } from './challenges/dns-01.js';
import type { DnsChallengeRecord, DnsProvider } from './dns-providers/dns-provider.js';
import { generateCertificateKey, type KeyType } from './keys.js';

export type ChallengeType = 'http-01' | 'tls-alpn-01' | 'dns-01';

/** The challenges a resolver can answer, from its settings. */
export interface Solvers {
  readonly http?: { readonly store: HttpChallengeStore; readonly delayMs: number };
  readonly tls?: { readonly store: TlsAlpnChallengeStore; readonly delayMs: number };
  readonly dns?: { readonly provider: DnsProvider; readonly propagation: PropagationSettings };
}

export interface OrderOptions {
  readonly keyType: KeyType;
  readonly preferredChain?: string | undefined;
  readonly disableCommonName: boolean;
  readonly profile?: string | undefined;
  readonly signal: AbortSignal;
  /** `certificateTimeout`: how long finalization and download may take once every challenge is valid. */
  readonly certificateTimeoutMs?: number;
  /** Called when a challenge type is chosen, so failures can say which one failed. */
  readonly onChallenge?: (type: ChallengeType) => void;
}

export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * lego picks challenges in descending type order (tls-alpn-01, http-01, dns-01) among those configured; Berth
 * does the same. Wildcard authorizations only ever offer dns-01.
 */
const PREFERENCE: readonly ChallengeType[] = ['tls-alpn-01', 'http-01', 'dns-01'];

function configured(solvers: Solvers, type: ChallengeType): boolean {
  return type === 'http-01' ? solvers.http !== undefined : type === 'tls-alpn-01' ? solvers.tls !== undefined : solvers.dns !== undefined;
}

/** Refuses, before any request to the CA, what cannot succeed: wildcards without DNS-01. */
export function checkOrderable(names: readonly string[], solvers: Solvers): void {
  const wildcard = names.find((name) => name.startsWith('*.'));
  if (wildcard !== undefined && solvers.dns === undefined) {
    throw new BerthError(ErrorCodes.ACME_ORDER, `"${wildcard}" is a wildcard: certificate authorities validate wildcards only with the DNS-01 challenge; configure "dnsChallenge" on this resolver`);
  }
  const deep = names.find((name) => name.startsWith('*.') && name.slice(2).includes('*'));
  if (deep !== undefined) throw new BerthError(ErrorCodes.ACME_ORDER, `"${deep}": only one leading wildcard label is allowed`);
}

interface Pending {
  readonly authz: acme.Authorization;
  readonly challenge: { type: string; url: string; token: string; status: string };
  readonly type: ChallengeType;
  readonly keyAuthorization: string;
  readonly rawKeyAuthorization: string;
  cleanup?: () => Promise<void>;
  dnsRecord?: DnsChallengeRecord;
}

/**
 * Runs one order (RFC 8555 §7.4) for `names` (first = main): authorizations, challenges answered through the
 * solvers, finalization with a new key of `keyType`, certificate download. No pre-check of HTTP-01 or TLS-ALPN-01
 * through the system resolver (acme-client's `auto()` does one, which fails wherever public DNS does not know the
 * name yet); DNS-01 waits for propagation through the configured resolvers, as lego does.
 */
export async function runOrder(client: acme.Client, names: readonly string[], solvers: Solvers, options: OrderOptions): Promise<IssuedCertificate> {
  checkOrderable(names, solvers);
  const order = await client.createOrder({
    identifiers: names.map((value) => ({ type: 'dns', value })),
    ...(options.profile === undefined || options.profile === '' ? {} : { profile: options.profile }),
  } as Parameters<acme.Client['createOrder']>[0]);
  const authorizations = await client.getAuthorizations(order);
  const pending: Pending[] = [];
  try {
    for (const authz of authorizations) {
      if (authz.status === 'valid') continue;
      const offered: string[] = authz.challenges.map((c) => c.type);
      const type = PREFERENCE.find((t) => offered.includes(t) && configured(solvers, t));
      if (type === undefined) {
        throw new BerthError(ErrorCodes.ACME_ORDER, `no configured challenge can validate "${authz.identifier.value}": the CA offers ${offered.join(', ')}`);
      }
      options.onChallenge?.(type);
      const challenge = authz.challenges.find((c) => c.type === type) as Pending['challenge'];
      // For dns-01 acme-client returns the TXT value (digest); lego's raw modes want the key authorization itself.
      const keyAuthorization = await client.getChallengeKeyAuthorization(challenge as never);
      const rawKeyAuthorization = type === 'dns-01' ? await client.getChallengeKeyAuthorization({ ...challenge, type: 'http-01' } as never) : keyAuthorization;
      const item: Pending = { authz, challenge, type, keyAuthorization, rawKeyAuthorization };
      pending.push(item);
      await present(item, solvers, options.signal);
    }
    for (const item of pending) {
      if (item.dnsRecord !== undefined && solvers.dns !== undefined) await waitForPropagation(item.dnsRecord, solvers.dns.provider, solvers.dns.propagation, options.signal);
    }
    const delay = Math.max(0, ...pending.map((item) => (item.type === 'http-01' ? solvers.http?.delayMs ?? 0 : item.type === 'tls-alpn-01' ? solvers.tls?.delayMs ?? 0 : 0)));
    if (delay > 0) await sleep(delay, options.signal);
    options.signal.throwIfAborted();
    await Promise.all(pending.map(async (item) => {
      await client.completeChallenge(item.challenge as never);
      await client.waitForValidStatus(item.challenge as never);
    }));
  } finally {
    await Promise.allSettled(pending.map((item) => item.cleanup?.()));
  }
  options.signal.throwIfAborted();
  const keyPem = await generateCertificateKey(options.keyType);
  const [, csr] = await acme.crypto.createCsr({
    ...(options.disableCommonName ? {} : { commonName: names[0] }),
    altNames: [...names],
  }, keyPem);
  const download = async (): Promise<string> => client.getCertificate(await client.finalizeOrder(order, csr), options.preferredChain);
  const certPem = options.certificateTimeoutMs === undefined ? await download() : await withTimeout(download(), options.certificateTimeoutMs, `the CA did not issue the certificate within ${options.certificateTimeoutMs} ms (certificateTimeout)`);
  return { certPem, keyPem };
}

async function present(item: Pending, solvers: Solvers, signal: AbortSignal): Promise<void> {
  const domain = item.authz.identifier.value;
  if (item.type === 'http-01' && solvers.http !== undefined) {
    const store = solvers.http.store;
    store.set({ domain, token: item.challenge.token, keyAuthorization: item.keyAuthorization });
    item.cleanup = async () => store.delete(item.challenge.token);
  } else if (item.type === 'tls-alpn-01' && solvers.tls !== undefined) {
    const store = solvers.tls.store;
    // An EC key: made in microseconds, and validators accept any key type (RFC 8737 §3).
    const key = await acme.crypto.createPrivateEcdsaKey();
    const [, cert] = await acme.crypto.createAlpnCertificate(item.authz, item.keyAuthorization, key);
    store.set({ domain, certPem: cert.toString(), keyPem: key.toString() });
    item.cleanup = async () => store.delete(domain);
  } else if (item.type === 'dns-01' && solvers.dns !== undefined) {
    const provider = solvers.dns.provider;
    const record: DnsChallengeRecord = { domain, fqdn: challengeFqdn(domain), value: item.keyAuthorization, token: item.challenge.token, keyAuthorization: item.rawKeyAuthorization };
    await provider.present(record, signal);
    item.dnsRecord = record;
    item.cleanup = () => provider.cleanup(record, AbortSignal.timeout(30_000));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new BerthError(ErrorCodes.ACME_ORDER, message)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
