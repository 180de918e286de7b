import * as acme from 'acme-client';
import type { AcmeResolverSettings } from '../config/static/certificate-resolvers.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import type { Logger } from '../observability/logger.js';
import { accountKeyFromStored, generateAccountKey, type AccountKey } from './keys.js';
import type { AcmeStorage, StoredAccount } from './storage.js';
import { installTransport, type AcmeProblem } from './transport.js';

export interface AccountContext {
  readonly name: string;
  readonly settings: DeepReadonly<AcmeResolverSettings>;
  readonly storage: AcmeStorage;
  readonly logger: Logger;
  /** PEM roots read from `caCertificates`. */
  readonly caRoots: readonly string[];
  /** Interval between status polls (order, authorization, challenge). */
  readonly pollIntervalMs: number;
  readonly signal: AbortSignal;
}

/** An acme-client Client bound to the resolver's account, with its own transport (see transport.ts). */
export interface BoundClient {
  readonly client: acme.Client;
  lastProblem(): AcmeProblem | undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * The stored account if it belongs to the configured CA. Traefik discards an account whose URI host differs from
 * `caServer`'s (a switch from staging to production, say) and registers a new one; Berth does the same.
 */
export function usableAccount(account: StoredAccount | null, caServer: string, logger: Logger): StoredAccount | null {
  if (account === null) return null;
  const uri = account.Registration?.uri;
  if (uri !== undefined && hostOf(uri) !== hostOf(caServer)) {
    logger.info({ accountUri: uri, caServer }, 'the stored ACME account belongs to another CA; registering a new one');
    return null;
  }
  return account;
}

export function newClient(context: AccountContext, key: AccountKey, accountUrl: string | undefined): BoundClient {
  const { settings } = context;
  const client = new acme.Client({
    directoryUrl: settings.caServer,
    accountKey: key.pem,
    ...(accountUrl === undefined ? {} : { accountUrl }),
    ...(settings.eab === undefined ? {} : { externalAccountBinding: { kid: settings.eab.kid, hmacKey: settings.eab.hmacEncoded } }),
    backoffAttempts: 12,
    backoffMin: context.pollIntervalMs,
    backoffMax: 30_000,
  });
  const transport = installTransport(client, {
    ca: context.caRoots,
    caSystemCertPool: settings.caSystemCertPool,
    ...(settings.caServerName === undefined ? {} : { serverName: settings.caServerName }),
    timeoutMs: settings.clientTimeout,
    responseHeaderTimeoutMs: settings.clientResponseHeaderTimeout,
    signal: context.signal,
  });
  return { client, lastProblem: transport.lastProblem };
}

/**
 * A client for the resolver's account, registering the account first when there is none (terms of service
 * agreed, contacts from `email` and `emailAddresses`, EAB when configured). The account is stored at once in
 * Traefik's shape, its key as base64 DER, so later orders and restarts reuse it.
 */
export async function accountClient(context: AccountContext): Promise<BoundClient> {
  const { name, settings, storage } = context;
  const data = storage.read(name);
  const account = usableAccount(data.Account, settings.caServer, context.logger);
  const key = account?.PrivateKey ? accountKeyFromStored(account.PrivateKey) : await generateAccountKey();
  const uri = account?.Registration?.uri;
  if (uri !== undefined && uri !== '') return newClient(context, key, uri);

  const bound = newClient(context, key, undefined);
  const contact = [settings.email, ...(settings.emailAddresses ?? [])].filter((e): e is string => e !== undefined && e !== '').map((e) => `mailto:${e}`);
  let body: unknown;
  try {
    body = await bound.client.createAccount({ termsOfServiceAgreed: true, ...(contact.length === 0 ? {} : { contact }) });
  } catch (err) {
    // Keep the CA's problem document with the error: no client is returned to ask it from.
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { acmeProblem: bound.lastProblem() });
  }
  const stored: StoredAccount = {
    Email: settings.email ?? '',
    Registration: { body, uri: bound.client.getAccountUrl() },
    PrivateKey: key.stored,
    KeyType: settings.keyType,
  };
  await storage.write(name, { ...storage.read(name), Account: stored });
  context.logger.info({ accountUri: stored.Registration?.uri }, 'ACME account registered');
  return bound;
}

/** Forgets the stored account (the CA says it does not exist), so the next order registers a new one. */
export async function forgetAccount(context: AccountContext): Promise<void> {
  await context.storage.write(context.name, { ...context.storage.read(context.name), Account: null });
}
