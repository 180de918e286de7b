import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HttpChallengeStore } from '../acme/challenges/http-01.js';
import type { TlsAlpnChallengeStore } from '../acme/challenges/tls-alpn-01.js';
import type { AcmeProvider } from '../acme/provider.js';
import { createTlsCoordinator, type TlsCoordinator } from '../acme/tls-coordinator.js';
import { createApiHandler, type WorkerView } from '../api/routes.js';
import { createApiSource } from '../api/source.js';
import type { Snapshot } from '../config/dynamic/snapshot.js';
import { DEMO_WHOAMI_ADDRESS_VARIABLE } from '../config/static/embedded-default.js';
import type { StaticConfig } from '../config/static/schema.js';
import { formatIssue } from '../errors/config-issue.js';
import type { Logger } from '../observability/logger.js';
import { createFileProvider } from '../providers/file/provider.js';
import { internalSettingsFrom } from '../providers/internal/from-static.js';
import { createInternalProvider } from '../providers/internal/provider.js';
import type { Provider } from '../providers/provider.js';
import type { RuntimeGraph } from '../runtime/compile/compile.js';
import { newIssues } from '../runtime/status.js';
import type { ServerStateRegistry } from '../runtime/services/index.js';
import type { LoadedCertificate } from '../tls/pem.js';
import { createTlsManager, type TlsManager } from '../tls/tls-manager.js';
import { createConfigurationWatcher } from '../watcher/configuration-watcher.js';
import { createWhoamiServer } from '../whoami/server.js';
import { BERTH_VERSION } from '../version.js';

export interface ControlPlaneOptions {
  readonly logger: Logger;
  /** Environment for providers (file templates' `env`, DOCKER_HOST). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The health the API reports (the registry the active health checks write to). */
  readonly servers: ServerStateRegistry;
  readonly generatedDefault: LoadedCertificate;
  /** `/api/workers` (Berth only); absent in the single-process mode. */
  readonly workers?: () => readonly WorkerView[];
}

/** What decides: configuration, certificates, the API's state. One per Berth, in the leader or the only process. */
export interface ControlPlane {
  readonly tlsManager: TlsManager;
  readonly tls: TlsCoordinator;
  /** The `api@internal` service over this plane's state (it needs no request context). */
  readonly api: (req: IncomingMessage, res: ServerResponse) => void;
  /** Every resolver's pending HTTP-01 answers and TLS-ALPN-01 certificates. */
  readonly httpChallenges: readonly HttpChallengeStore[];
  readonly tlsChallenges: readonly TlsAlpnChallengeStore[];
  /** The last graph compiled (undefined until the first snapshot). */
  current(): RuntimeGraph | undefined;
  /**
   * Starts the demo backend, the providers and the watcher; each snapshot goes to `apply`, which compiles and
   * serves it and returns the graph. Resolves once the first snapshot was applied.
   */
  start(apply: (snapshot: Snapshot) => RuntimeGraph): Promise<void>;
  /** Stops providers and the watcher, the demo backend, ACME timers. */
  close(): Promise<void>;
}

/**
 * Builds the deciding side from static configuration: ACME resolvers (orders, renewals, storage), the TLS
 * manager and coordinator, the API's source, the providers and the configuration watcher.
 */
export async function createControlPlane(config: StaticConfig, options: ControlPlaneOptions): Promise<ControlPlane> {
  const { logger, servers } = options;
  const lifetime = new AbortController();
  const cleanups: Array<() => Promise<void> | void> = [];
  let current: RuntimeGraph | undefined;

  // TLS: one manager for every handshake of this process, one ACME provider per certificate resolver.
  // acme-client and dockerode are loaded only when configured: together they are a third of the leader's memory.
  const acmeModule = Object.keys(config.certificatesResolvers).length === 0 ? undefined : await import('../acme/from-static.js');
  const acme: AcmeProvider[] = acmeModule?.acmeProvidersFrom(config, { logger, env: options.env }) ?? [];
  const tlsManager = await createTlsManager({
    readFile: (path) => readFile(path, 'utf8'),
    generatedDefault: options.generatedDefault,
    ...(acmeModule === undefined ? {} : { challengeCertificateFor: acmeModule.tlsAlpnChallenges(acme) }),
  });
  const tls = createTlsCoordinator({ manager: tlsManager, acme, logger: logger.child({ component: 'tls' }) });

  const providerNames: string[] = [];
  const api = createApiHandler(createApiSource({
    config,
    status: () => (current === undefined ? undefined : tls.status(current.status)),
    health: (_service, url) => servers.statuses().get(url) !== 'DOWN',
    providers: () => providerNames,
    version: BERTH_VERSION,
    startedAt: new Date(),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  }));

  return {
    tlsManager,
    tls,
    api,
    httpChallenges: acme.map((provider) => provider.resolver.httpChallenges),
    tlsChallenges: acme.map((provider) => provider.resolver.tlsChallenges),
    current: () => current,
    async start(apply) {
      if (config.demo?.whoami !== undefined) {
        const whoami = await startWhoami(config.demo.whoami.address);
        cleanups.push(() => new Promise<void>((resolve) => {
          whoami.close(() => resolve());
          // Berth's own pooled keep-alive connections to it would otherwise hold the close for their idle timeout.
          whoami.closeAllConnections();
        }));
        logger.info({ address: config.demo.whoami.address }, 'built-in whoami backend listening');
      }
      const providers: Provider[] = [createInternalProvider(internalSettingsFrom(config))];
      const providerLogger = logger.child({ component: 'provider' });
      // File templates see the demo whoami's address, so the embedded default's route follows it when moved.
      const fileEnv = config.demo?.whoami === undefined ? options.env : { ...options.env, [DEMO_WHOAMI_ADDRESS_VARIABLE]: config.demo.whoami.address };
      if (config.providers.file !== undefined) providers.push(createFileProvider(config.providers.file, { logger: providerLogger.child({ providerName: 'file' }), env: fileEnv }));
      if (config.providers.docker !== undefined) {
        const { createDockerProvider } = await import('../providers/docker/provider.js');
        providers.push(createDockerProvider(config.providers.docker, { logger: providerLogger.child({ providerName: 'docker' }), env: options.env }));
      }
      providers.push(...acme);
      providerNames.push(...providers.map((provider) => provider.name));

      const watcher = createConfigurationWatcher({
        providers,
        throttleMs: config.providers.providersThrottleDuration,
        logger,
        onSnapshot(snapshot) {
          const started = performance.now();
          const previous = current;
          current = apply(snapshot);
          logger.info({ generation: current.generation, ms: Math.round(performance.now() - started) }, 'configuration applied');
          // Every new problem is logged once, at its own level: Traefik's default log level is ERROR, and a broken
          // router or file must show there too, not only in the API. (TLS problems are the coordinator's to log.)
          for (const issue of newIssues(previous?.status, current.status)) {
            logger[issue.severity === 'error' ? 'error' : 'warn']({ code: issue.code, generation: current.generation }, formatIssue(issue));
          }
        },
      });
      cleanups.push(() => lifetime.abort());
      await watcher.start(lifetime.signal);
    },
    async close() {
      const results = await Promise.allSettled(cleanups.reverse().map((cleanup) => cleanup()));
      for (const result of results) if (result.status === 'rejected') logger.error({ err: result.reason }, 'error during shutdown');
    },
  };
}

async function startWhoami(address: string): Promise<Server> {
  const colon = address.lastIndexOf(':');
  const server = createWhoamiServer({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)), name: 'berth-demo' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(address.slice(colon + 1)), address.slice(0, colon), () => resolve());
  });
  return server;
}
