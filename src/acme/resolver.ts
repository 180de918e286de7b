import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AcmeResolverSettings } from '../config/static/certificate-resolvers.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import { BerthError } from '../errors/berth-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { Logger } from '../observability/logger.js';
import { backoffDelay } from '../util/backoff.js';
import { splitPemChain } from '../tls/pem.js';
import { accountClient, forgetAccount, type AccountContext } from './account.js';
import { HttpChallengeStore } from './challenges/http-01.js';
import { TlsAlpnChallengeStore } from './challenges/tls-alpn-01.js';
import { createDnsProvider } from './dns-providers/index.js';
import type { Environment } from './dns-providers/dns-provider.js';
import { checkOrderable, runOrder, type ChallengeType, type Solvers } from './orders.js';
import { needsRenewal, renewalTiming, type RenewalTiming } from './renewal.js';
import type { AcmeProblem } from './transport.js';
import { fromBase64, openStorage, toBase64, type AcmeStorage, type StoredBackoff, type StoredCertificate } from './storage.js';

const RATE_LIMITED = 'urn:ietf:params:acme:error:rateLimited';
const ACCOUNT_MISSING = 'urn:ietf:params:acme:error:accountDoesNotExist';

export interface AcmeResolverOptions {
  readonly name: string;
  readonly settings: DeepReadonly<AcmeResolverSettings>;
  readonly logger: Logger;
  /** Where DNS providers read credentials (process.env by default). */
  readonly env?: Environment;
  readonly cloudflareApi?: string;
  /** The clock for renewal and backoff decisions (tests move it; timers are not faked). */
  readonly now?: () => number;
  /** How often order, authorization and challenge states are polled (default 2 s). */
  readonly pollIntervalMs?: number;
  /** Orders running at once (default 2). */
  readonly concurrency?: number;
  /** Backoff of a failing name set: first delay and cap (default 1 min, 24 h), doubling in between. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Overrides how often the renewal schedule looks (default from certificatesDuration; see acme/from-static.ts). */
  readonly renewalCheckEveryMs?: number;
}

/** A certificate the resolver holds, decoded. */
export interface AcmeCertificate {
  readonly main: string;
  readonly sans: readonly string[];
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfter: Date | undefined;
}

/** What the API shows per name set that is being ordered or failed. */
export interface OrderStatus {
  readonly names: readonly string[];
  readonly state: 'ordering' | 'failed';
  readonly challenge?: string | undefined;
  readonly failures: number;
  /** The CA's problem type and detail (or Berth's own error) of the last failure. */
  readonly error?: { readonly type?: string | undefined; readonly detail: string };
  readonly nextAttempt?: string;
}

export interface AcmeResolver {
  readonly name: string;
  readonly settings: DeepReadonly<AcmeResolverSettings>;
  readonly httpChallenges: HttpChallengeStore;
  readonly tlsChallenges: TlsAlpnChallengeStore;
  readonly timing: RenewalTiming;
  /** Opens the storage file; throws BerthError ACME_STORAGE when it is unusable (the resolver is then disabled). */
  open(): Promise<void>;
  certificates(): readonly AcmeCertificate[];
  /** Called after every certificate change; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * The name sets the routers need now (first name = main). Sets in flight or backing off are left alone; a set
   * backing off is retried when its time comes if it is still asked for.
   */
  request(nameSets: readonly (readonly string[])[]): void;
  /** Orders renewal of every held certificate inside its renewal window. */
  checkRenewals(): void;
  status(): OrderStatus[];
  /** Resolves when no order is running or queued (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}

const keyOf = (names: readonly string[]): string => names.join(',');

export function createAcmeResolver(options: AcmeResolverOptions): AcmeResolver {
  const { name, settings } = options;
  const logger = options.logger.child({ component: 'acme', resolver: name });
  const now = options.now ?? Date.now;
  const concurrency = options.concurrency ?? 2;
  const backoff = options.backoff ?? { initialMs: 60_000, maxMs: 24 * 3600_000 };
  const derived = renewalTiming(settings.certificatesDuration);
  const timing = options.renewalCheckEveryMs === undefined ? derived : { ...derived, checkEveryMs: options.renewalCheckEveryMs };
  const httpChallenges = new HttpChallengeStore();
  const tlsChallenges = new TlsAlpnChallengeStore();
  const controller = new AbortController();
  const listeners = new Set<() => void>();
  const inFlight = new Map<string, { names: readonly string[]; challenge?: ChallengeType }>();
  const queue: Array<readonly string[]> = [];
  const retryTimers = new Map<string, NodeJS.Timeout>();
  const idleWaiters: Array<() => void> = [];
  let running = 0;
  let storage: AcmeStorage | undefined;
  let certificates: AcmeCertificate[] = [];
  let backoffs: Record<string, StoredBackoff> = {};
  let accountContext: AccountContext | undefined;
  let solvers: Solvers | undefined;
  let accountLock: Promise<void> = Promise.resolve();
  /** The name sets of the last `request` (the routers' current needs). */
  let requested = new Set<string>();

  const decode = (stored: StoredCertificate): AcmeCertificate => {
    const certPem = fromBase64(stored.certificate);
    let notAfter: Date | undefined;
    try {
      notAfter = new Date(new X509Certificate(splitPemChain(certPem)[0] ?? certPem).validTo);
    } catch {
      notAfter = undefined;
    }
    return { main: stored.domain.main, sans: stored.domain.sans ?? [], certPem, keyPem: fromBase64(stored.key), notAfter };
  };

  const makeSolvers = (): Solvers => {
    const dns = settings.dnsChallenge;
    return {
      ...(settings.httpChallenge === undefined ? {} : { http: { store: httpChallenges, delayMs: settings.httpChallenge.delay } }),
      ...(settings.tlsChallenge === undefined ? {} : { tls: { store: tlsChallenges, delayMs: settings.tlsChallenge.delay } }),
      ...(dns === undefined ? {} : {
        dns: {
          provider: createDnsProvider(dns.provider, options.env ?? process.env, options.cloudflareApi === undefined ? {} : { cloudflareApi: options.cloudflareApi }),
          propagation: {
            resolvers: dns.resolvers ?? [],
            delayBeforeChecksMs: dns.propagation?.delayBeforeChecks ?? dns.delayBeforeCheck ?? 0,
            disableChecks: dns.propagation?.disableChecks ?? dns.disablePropagationCheck ?? false,
            requireAll: dns.propagation?.requireAllRNS ?? false,
          },
        },
      }),
    };
  };

  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  const settle = (): void => {
    if (running === 0 && queue.length === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
  };

  const store = async (names: readonly string[], certPem: string, keyPem: string): Promise<void> => {
    if (storage === undefined) return;
    const data = storage.read(name);
    const entry: StoredCertificate = { domain: { main: names[0] ?? '', ...(names.length > 1 ? { sans: names.slice(1) } : {}) }, certificate: toBase64(certPem), key: toBase64(keyPem), Store: 'default' };
    const others = (data.Certificates ?? []).filter((c) => keyOf([c.domain.main, ...(c.domain.sans ?? [])]) !== keyOf(names));
    await storage.write(name, { ...data, Certificates: [...others, entry] });
    certificates = (storage.read(name).Certificates ?? []).map(decode);
  };

  const recordFailure = async (names: readonly string[], err: unknown, challenge: ChallengeType | undefined, problemType: string | undefined, retryAfterMs: number | undefined): Promise<void> => {
    const key = keyOf(names);
    const failures = (backoffs[key]?.failures ?? 0) + 1;
    let delay = backoffDelay(failures - 1, { ...backoff, jitter: 0.1 });
    if (retryAfterMs !== undefined) delay = Math.max(delay, retryAfterMs);
    const detail = err instanceof Error ? err.message : String(err);
    backoffs = {
      ...backoffs,
      [key]: {
        names: [...names], failures, nextAttempt: new Date(now() + delay).toISOString(), lastError: detail,
        ...(problemType === undefined ? {} : { errorType: problemType }),
        ...(challenge === undefined ? {} : { challenge }),
      },
    };
    await storage?.writeBackoff(name, backoffs);
    logger.error({ domains: names, challenge, failures, retryInMs: delay, problem: problemType }, `Unable to obtain ACME certificate for domains: ${detail}`);
    scheduleRetry(names, delay);
  };

  const scheduleRetry = (names: readonly string[], delay: number): void => {
    const key = keyOf(names);
    clearTimeout(retryTimers.get(key));
    // Timers above 2^31-1 ms fire at once; the cap is 24 h anyway, and a restart re-reads the stored backoff.
    const timer = setTimeout(() => {
      retryTimers.delete(key);
      // Retry only what is still wanted: routers asked for it in the last snapshot, or it is a held certificate.
      if (requested.has(key) || certificates.some((c) => keyOf([c.main, ...c.sans]) === key)) enqueue(names);
    }, Math.min(delay, 2 ** 31 - 1));
    timer.unref();
    retryTimers.set(key, timer);
  };

  const order = async (names: readonly string[]): Promise<void> => {
    const key = keyOf(names);
    const context = accountContext;
    if (context === undefined || solvers === undefined) return;
    let problemType: string | undefined;
    let retryAfterMs: number | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      let bound;
      try {
        // One at a time, so that two first orders do not register two accounts.
        const next = accountLock.then(() => accountClient(context));
        accountLock = next.then(() => undefined, () => undefined);
        bound = await next;
        const issued = await runOrder(bound.client, names, solvers, {
          keyType: settings.keyType,
          preferredChain: settings.preferredChain,
          disableCommonName: settings.disableCommonName,
          profile: settings.profile,
          signal: controller.signal,
          certificateTimeoutMs: settings.certificateTimeout,
          onChallenge: (type) => { const current = inFlight.get(key); if (current !== undefined) current.challenge = type; },
        });
        await store(names, issued.certPem, issued.keyPem);
        if (backoffs[key] !== undefined) {
          const { [key]: _done, ...rest } = backoffs;
          backoffs = rest;
          await storage?.writeBackoff(name, backoffs);
        }
        logger.info({ domains: names }, 'ACME certificate obtained');
        notify();
        return;
      } catch (err) {
        if (controller.signal.aborted) return;
        const problem = bound?.lastProblem() ?? (err as { acmeProblem?: AcmeProblem }).acmeProblem;
        problemType = problem?.type;
        retryAfterMs = problem?.type === RATE_LIMITED ? problem.retryAfterMs : undefined;
        if (problem?.type === ACCOUNT_MISSING && attempt === 0) {
          logger.warn('the CA does not know the stored ACME account; registering a new one');
          await forgetAccount(context);
          continue;
        }
        await recordFailure(names, err, inFlight.get(key)?.challenge, problemType, retryAfterMs);
        return;
      }
    }
  };

  const pump = (): void => {
    while (running < concurrency && queue.length > 0) {
      const names = queue.shift() as readonly string[];
      running++;
      void order(names).finally(() => {
        running--;
        inFlight.delete(keyOf(names));
        pump();
        settle();
      });
    }
    settle();
  };

  const enqueue = (names: readonly string[]): void => {
    const key = keyOf(names);
    if (controller.signal.aborted || storage === undefined || inFlight.has(key)) return;
    const next = backoffs[key]?.nextAttempt;
    if (next !== undefined && Date.parse(next) > now()) {
      if (!retryTimers.has(key)) scheduleRetry(names, Date.parse(next) - now());
      return;
    }
    try {
      checkOrderable(names, solvers ?? {});
    } catch (err) {
      if (!backoffs[key]) void recordFailure(names, err, undefined, undefined, undefined);
      return;
    }
    inFlight.set(key, { names });
    queue.push(names);
    pump();
  };

  return {
    name,
    settings,
    httpChallenges,
    tlsChallenges,
    timing,
    async open() {
      storage = await openStorage(settings.storage);
      for (const notice of storage.notices) logger.warn({ code: ErrorCodes.ACME_STORAGE }, notice);
      const caRoots: string[] = [];
      for (const file of settings.caCertificates ?? []) {
        try {
          caRoots.push(...splitPemChain(file.includes('-----BEGIN ') ? file : await readFile(file, 'utf8')));
        } catch (err) {
          throw new BerthError(ErrorCodes.ACME_STORAGE, `certificatesResolvers.${name}.acme.caCertificates: cannot read "${file}": ${(err as Error).message}`, { cause: err });
        }
      }
      solvers = makeSolvers();
      accountContext = { name, settings, storage, logger, caRoots, pollIntervalMs: options.pollIntervalMs ?? 2000, signal: controller.signal };
      certificates = (storage.read(name).Certificates ?? []).map(decode);
      backoffs = storage.backoff(name);
    },
    certificates: () => certificates,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    request(nameSets) {
      requested = new Set(nameSets.map(keyOf));
      for (const names of nameSets) enqueue(names);
    },
    checkRenewals() {
      for (const cert of certificates) {
        if (needsRenewal(cert.notAfter, now(), timing)) {
          logger.info({ domains: [cert.main, ...cert.sans], notAfter: cert.notAfter?.toISOString() }, 'renewing ACME certificate');
          enqueue([cert.main, ...cert.sans]);
        }
      }
    },
    status() {
      const result: OrderStatus[] = [];
      for (const [key, entry] of inFlight) result.push({ names: entry.names, state: 'ordering', challenge: entry.challenge, failures: backoffs[key]?.failures ?? 0 });
      for (const [key, entry] of Object.entries(backoffs)) {
        if (inFlight.has(key)) continue;
        result.push({ names: entry.names, state: 'failed', challenge: entry.challenge, failures: entry.failures, error: { type: entry.errorType, detail: entry.lastError }, nextAttempt: entry.nextAttempt });
      }
      return result;
    },
    idle() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      controller.abort();
      for (const timer of retryTimers.values()) clearTimeout(timer);
      retryTimers.clear();
      queue.length = 0;
      settle();
    },
  };
}
