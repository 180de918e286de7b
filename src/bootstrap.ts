import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { acmeHttpHandler, acmeProvidersFrom, tlsAlpnChallenges } from './acme/from-static.js';
import { createTlsCoordinator } from './acme/tls-coordinator.js';
import { createApiHandler } from './api/routes.js';
import { createDashboardHandler } from './api/dashboard/handler.js';
import { createPingHandler, noopHandler } from './api/ping.js';
import { createApiSource } from './api/source.js';
import { parseEntryPointAddress } from './config/static/address.js';
import { DEMO_WHOAMI_ADDRESS_VARIABLE } from './config/static/embedded-default.js';
import type { EntryPointConfig, StaticConfig } from './config/static/schema.js';
import { HandlerSwitcher } from './entrypoints/handler-switcher.js';
import { httpEntryPointOptions } from './entrypoints/from-static.js';
import { HttpEntryPoint } from './entrypoints/http-entrypoint.js';
import { observabilityFrom } from './observability/from-static.js';
import type { Logger } from './observability/logger.js';
import { createPrometheusHandler } from './observability/metrics/handler.js';
import { serversUp } from './observability/metrics/servers-up.js';
import { createDockerProvider } from './providers/docker/provider.js';
import { createFileProvider } from './providers/file/provider.js';
import { internalSettingsFrom } from './providers/internal/from-static.js';
import { createInternalProvider } from './providers/internal/provider.js';
import type { Provider } from './providers/provider.js';
import { compile, type RuntimeGraph } from './runtime/compile/compile.js';
import { compileEntryPointsFrom, defaultTransportFrom } from './runtime/compile/from-static.js';
import type { Handler } from './runtime/handler.js';
import { createForwardedHeadersPolicy, createForwarder, ServerStateRegistry, TransportRegistry, UpgradeTracker } from './runtime/services/index.js';
import { generateDefaultCertificate } from './tls/default-certificate.js';
import { createTlsManager } from './tls/tls-manager.js';
import { createConfigurationWatcher } from './watcher/configuration-watcher.js';
import { createWhoamiServer } from './whoami/server.js';
import { BERTH_VERSION } from './version.js';

/** A running Berth. */
export interface Berth {
  readonly entryPoints: ReadonlyMap<string, HttpEntryPoint>;
  /** The graph serving now (undefined until the first snapshot). */
  current(): RuntimeGraph | undefined;
  /** Closes and reopens the access log file (SIGUSR1, after logrotate moved it). */
  reopenAccessLog(): void;
  /** Graceful shutdown: /ping turns 503, entrypoints drain, providers stop, everything closes. */
  close(): Promise<void>;
}

export interface BootstrapOptions {
  readonly logger: Logger;
  /** Environment for providers (file templates' `env`, DOCKER_HOST). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where an access log without `filePath` goes (standard output unless given). */
  readonly accessLogStdout?: NodeJS.WritableStream;
}

/**
 * The composition root: builds every long-lived part from static configuration and wires them together
 * (ARCHITECTURE.md data flow). No logic lives here; every decision is in the module that owns it. If any step
 * fails, what was started is closed before the error propagates (convention 10).
 */
export async function bootstrap(config: StaticConfig, options: BootstrapOptions): Promise<Berth> {
  const { logger } = options;
  const lifetime = new AbortController();
  const cleanups: Array<() => Promise<void> | void> = [];
  let terminating = false;
  let current: RuntimeGraph | undefined;

  try {
    // Per-address state that outlives snapshots (convention 2).
    const servers = new ServerStateRegistry();
    const transports = new TransportRegistry();
    const upgrades = new UpgradeTracker();
    cleanups.push(() => servers.close());
    const { accessLog, metrics, observability } = observabilityFrom(config, logger, options.accessLogStdout);
    if (accessLog !== undefined) cleanups.push(() => accessLog.close());
    const entryPointsWith = (flag: (ep: EntryPointConfig) => boolean): string[] => Object.entries(config.entryPoints).filter(([, ep]) => flag(ep)).map(([name]) => name);
    const policy = createForwardedHeadersPolicy(entryPointsWith((ep) => ep.forwardedHeaders.notAppendXForwardedFor), entryPointsWith((ep) => ep.forwardedHeaders.addXForwardedSchemeHeaders));
    const forwarder = createForwarder('undici', { policy, upgrades, logger: logger.child({ component: 'forwarder' }) });

    // TLS: one manager for every entrypoint's handshakes, one ACME provider per certificate resolver.
    const acme = acmeProvidersFrom(config, { logger, env: options.env });
    const tlsManager = await createTlsManager({
      readFile: (path) => readFile(path, 'utf8'),
      generatedDefault: await generateDefaultCertificate(),
      challengeCertificateFor: tlsAlpnChallenges(acme),
    });
    const tls = createTlsCoordinator({ manager: tlsManager, acme, logger: logger.child({ component: 'tls' }) });

    const providerNames: string[] = [];
    const apiSource = createApiSource({
      config,
      status: () => (current === undefined ? undefined : tls.status(current.status)),
      health: (_service, url) => servers.statuses().get(url) !== 'DOWN',
      providers: () => providerNames,
      version: BERTH_VERSION,
      startedAt: new Date(),
    });
    const internal = new Map<string, Handler>([
      ['api@internal', createApiHandler(apiSource)],
      ['dashboard@internal', createDashboardHandler()],
      ['ping@internal', createPingHandler(() => terminating, config.ping?.terminatingStatusCode ?? 503)],
      ['noop@internal', noopHandler],
      ['acme-http@internal', acmeHttpHandler(acme)],
    ]);
    if (metrics !== undefined) internal.set('prometheus@internal', createPrometheusHandler(metrics));

    const switcher = new HandlerSwitcher();
    const compileOptions = {
      logger: logger.child({ component: 'compile' }),
      entryPoints: compileEntryPointsFrom(config),
      defaultTransport: defaultTransportFrom(config),
      internal,
      services: { forwarder, transports, servers, logger: logger.child({ component: 'services' }) },
      observability,
    };

    const entryPoints = new Map<string, HttpEntryPoint>();
    for (const [name, entryPointConfig] of Object.entries(config.entryPoints)) {
      const address = parseEntryPointAddress(entryPointConfig.address);
      if ('error' in address || address.protocol === 'udp') {
        logger.warn({ entryPointName: name }, `entryPoint ${name} is UDP, which Berth does not serve yet; it is not opened`);
        continue;
      }
      const entryPoint = new HttpEntryPoint(httpEntryPointOptions(name, entryPointConfig, tlsManager), switcher, logger);
      entryPoints.set(name, entryPoint);
    }
    for (const entryPoint of entryPoints.values()) await entryPoint.listen();
    // Entrypoints drain together; only then are upstream pools closed (closing them earlier would cut requests).
    cleanups.push(async () => {
      await Promise.all([...entryPoints.values()].map((entryPoint) => entryPoint.shutdown(() => upgrades.closeAll())));
      await transports.close();
    });
    metrics?.setGaugeSources({
      openConnections: () => Promise.all([...entryPoints.values()].map(async (entryPoint) => ({ entryPoint: entryPoint.name, count: await entryPoint.openConnections() }))),
      serversUp: () => serversUp(current?.status, servers.statuses()),
    });

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
    if (config.providers.docker !== undefined) providers.push(createDockerProvider(config.providers.docker, { logger: providerLogger.child({ providerName: 'docker' }), env: options.env }));
    providers.push(...acme);
    providerNames.push(...providers.map((provider) => provider.name));

    const watcher = createConfigurationWatcher({
      providers,
      throttleMs: config.providers.providersThrottleDuration,
      logger,
      onSnapshot(snapshot) {
        const started = performance.now();
        const graph = compile(snapshot, compileOptions);
        const previous = current;
        current = graph;
        switcher.set(graph);
        metrics?.configReloaded(elementNames(graph, 'http.routers'), elementNames(graph, 'http.services'));
        tls.apply(snapshot, graph.routes);
        // The old graph's requests keep running on their own handlers; only its timers and checks stop.
        previous?.close();
        logger.info({ generation: graph.generation, ms: Math.round(performance.now() - started) }, 'configuration applied');
      },
    });
    cleanups.push(() => lifetime.abort());
    await watcher.start(lifetime.signal);
    // Started means serving: the first snapshot's certificates (stored ACME ones included) are in place too.
    await tls.settled();

    let closing: Promise<void> | undefined;
    return {
      entryPoints,
      current: () => current,
      reopenAccessLog: () => accessLog?.reopen(),
      close() {
        closing ??= (async () => {
          terminating = true;
          await runCleanups(cleanups, logger);
          current?.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    terminating = true;
    await runCleanups(cleanups, logger);
    current?.close();
    throw err;
  }
}

function elementNames(graph: RuntimeGraph, section: 'http.routers' | 'http.services'): Set<string> {
  const names = new Set<string>();
  for (const info of graph.status.elements.values()) if (info.section === section) names.add(info.name);
  return names;
}

/** Runs cleanups newest first; one failing does not stop the others. Entrypoints drain in parallel. */
async function runCleanups(cleanups: Array<() => Promise<void> | void>, logger: Logger): Promise<void> {
  const results = await Promise.allSettled(cleanups.reverse().map((cleanup) => cleanup()));
  for (const result of results) if (result.status === 'rejected') logger.error({ err: result.reason }, 'error during shutdown');
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
