/**
 * A DNS-01 provider, as lego defines them: `present` publishes the TXT record `value` at `fqdn`
 * (`_acme-challenge.example.com.`), `cleanup` removes it. `domain`, `token` and `keyAuthorization` are given for
 * providers with a raw mode (lego's EXEC_MODE=RAW, HTTPREQ_MODE=RAW).
 */
export interface DnsChallengeRecord {
  readonly domain: string;
  readonly fqdn: string;
  readonly value: string;
  readonly token: string;
  readonly keyAuthorization: string;
}

export interface DnsProvider {
  readonly name: string;
  present(record: DnsChallengeRecord, signal: AbortSignal): Promise<void>;
  cleanup(record: DnsChallengeRecord, signal: AbortSignal): Promise<void>;
  /** How long to wait for propagation and how often to look, as lego's `<PROVIDER>_PROPAGATION_TIMEOUT`/`_POLLING_INTERVAL`. */
  readonly propagationTimeoutMs: number;
  readonly pollingIntervalMs: number;
}

/** Environment a provider reads its credentials from (injectable for tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** lego's duration variables are whole seconds. */
export function secondsFromEnv(env: Environment, key: string, fallbackSeconds: number): number {
  const value = Number(env[key]);
  return (Number.isFinite(value) && value > 0 ? value : fallbackSeconds) * 1000;
}

/**
 * A provider whose present and cleanup are one call with the action's name (exec, httpreq), with lego's
 * `<PREFIX>_PROPAGATION_TIMEOUT` (60 s) and `<PREFIX>_POLLING_INTERVAL` (2 s).
 */
export function actionProvider(name: string, prefix: string, env: Environment, run: (action: 'present' | 'cleanup', record: DnsChallengeRecord, signal: AbortSignal) => Promise<void>): DnsProvider {
  return {
    name,
    present: (record, signal) => run('present', record, signal),
    cleanup: (record, signal) => run('cleanup', record, signal),
    propagationTimeoutMs: secondsFromEnv(env, `${prefix}_PROPAGATION_TIMEOUT`, 60),
    pollingIntervalMs: secondsFromEnv(env, `${prefix}_POLLING_INTERVAL`, 2),
  };
}
