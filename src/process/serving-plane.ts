import { createDashboardHandler } from '../api/dashboard/handler.js';
import { createPingHandler, noopHandler } from '../api/ping.js';
import { parseEntryPointAddress } from '../config/static/address.js';
import type { Snapshot } from '../config/dynamic/snapshot.js';
import type { EntryPointConfig, StaticConfig } from '../config/static/schema.js';
import { HandlerSwitcher } from '../entrypoints/handler-switcher.js';
import { httpEntryPointOptions } from '../entrypoints/from-static.js';
import { HttpEntryPoint } from '../entrypoints/http-entrypoint.js';
import type { AccessLog } from '../observability/access-log/access-log.js';
import { observabilityFrom } from '../observability/from-static.js';
import type { Logger } from '../observability/logger.js';
import { createPrometheusHandler } from '../observability/metrics/handler.js';
import type { PrometheusMetrics } from '../observability/metrics/prometheus.js';
import { serversUp } from '../observability/metrics/servers-up.js';
import { compile, type CompileOptions, type RuntimeGraph } from '../runtime/compile/compile.js';
import { compileEntryPointsFrom, defaultTransportFrom } from '../runtime/compile/from-static.js';
import type { Handler } from '../runtime/handler.js';
import { createForwardedHeadersPolicy, createForwarder, type ServerStateRegistry, TransportRegistry, UpgradeTracker } from '../runtime/services/index.js';
import type { TlsCoordinator } from '../acme/tls-coordinator.js';
import type { TlsManager } from '../tls/tls-manager.js';

export interface ServingPlaneOptions {
  readonly logger: Logger;
  /** Per-server health, shared with whoever decides it (this plane's own checks, or the leader's relayed results). */
  readonly servers: ServerStateRegistry;
  readonly tlsManager: TlsManager;
  readonly tls: TlsCoordinator;
  /** `api@internal`: the API itself (one process) or a forwarder to the leader's (worker). */
  readonly api: Handler;
  /** `prometheus@internal` when metrics are on: this process's own numbers unless given (a worker relays to the leader). */
  readonly prometheus?: Handler;
  /** `acme-http@internal`: answers pending HTTP-01 tokens. */
  readonly acmeHttp: Handler;
  /** Whether compiled services run their active health checks (false in workers, see ServiceRuntime). */
  readonly activeHealthChecks: boolean;
  /** Round robin's starting server (ServiceRuntime.balancerRotation); workers pass their index. */
  readonly balancerRotation?: number;
  /**
   * Whether to build the public entrypoints. A leader compiles every snapshot (for health checks, ACME and the
   * API) but serves no traffic, so it has none.
   */
  readonly entryPoints: boolean;
  /** Level of the per-process start-up lines ("entryPoint web listening"); workers leave them to the leader. */
  readonly announce: 'info' | 'debug';
  /** Compile-time logger (issues found in a snapshot); workers silence it, the leader logs the same issues once. */
  readonly compileLogger: Logger;
  readonly accessLogStdout?: NodeJS.WritableStream;
}

/** What serves traffic from snapshots: the process model's unit (one per worker, or the only one). */
export interface ServingPlane {
  readonly entryPoints: ReadonlyMap<string, HttpEntryPoint>;
  readonly metrics: PrometheusMetrics | undefined;
  readonly accessLog: AccessLog | undefined;
  /** The graph serving now (undefined until the first snapshot). */
  current(): RuntimeGraph | undefined;
  /** Compiles a snapshot, swaps it in, hands its TLS section to the coordinator; the previous graph is closed. */
  apply(snapshot: Snapshot): RuntimeGraph;
  /** Opens every entrypoint, in configuration order; rejects with the first that cannot listen. */
  listen(): Promise<void>;
  /** `/ping` turns 503 from now on. */
  beginTermination(): void;
  /** Drains the entrypoints (graceTimeOut), closes upstream pools, the access log and the last graph. */
  close(): Promise<void>;
}

/**
 * Builds the serving side from static configuration: forwarder, upstream pools, access log and metrics, the
 * internal services, the routing switcher and the entrypoints. The caller decides where snapshots and health
 * come from (process/single.ts, process/worker.ts, process/leader.ts).
 */
export function createServingPlane(config: StaticConfig, options: ServingPlaneOptions): ServingPlane {
  const { logger, servers } = options;
  let current: RuntimeGraph | undefined;
  let terminating = false;
  const transports = new TransportRegistry();
  const upgrades = new UpgradeTracker();
  const { accessLog, metrics, observability } = observabilityFrom(config, logger, options.accessLogStdout);
  const entryPointsWith = (flag: (ep: EntryPointConfig) => boolean): string[] => Object.entries(config.entryPoints).filter(([, ep]) => flag(ep)).map(([name]) => name);
  const policy = createForwardedHeadersPolicy(entryPointsWith((ep) => ep.forwardedHeaders.notAppendXForwardedFor), entryPointsWith((ep) => ep.forwardedHeaders.addXForwardedSchemeHeaders));
  const forwarder = createForwarder('http1', { policy, upgrades, logger: logger.child({ component: 'forwarder' }) });

  const internal = new Map<string, Handler>([
    ['api@internal', options.api],
    ['dashboard@internal', createDashboardHandler()],
    ['ping@internal', createPingHandler(() => terminating, config.ping?.terminatingStatusCode ?? 503)],
    ['noop@internal', noopHandler],
    ['acme-http@internal', options.acmeHttp],
  ]);
  if (metrics !== undefined) internal.set('prometheus@internal', options.prometheus ?? createPrometheusHandler(metrics));
  const compileOptions: CompileOptions = {
    logger: options.compileLogger,
    entryPoints: compileEntryPointsFrom(config),
    defaultTransport: defaultTransportFrom(config),
    internal,
    services: { forwarder, transports, servers, logger: logger.child({ component: 'services' }), activeHealthChecks: options.activeHealthChecks, balancerRotation: options.balancerRotation ?? 0 },
    observability,
  };

  const switcher = new HandlerSwitcher();
  const entryPoints = new Map<string, HttpEntryPoint>();
  for (const [name, entryPointConfig] of Object.entries(config.entryPoints)) {
    const address = parseEntryPointAddress(entryPointConfig.address);
    if ('error' in address || address.protocol === 'udp') {
      logger[options.announce]({ entryPointName: name }, `entryPoint ${name} is UDP, which Berth does not serve yet; it is not opened`);
      continue;
    }
    if (options.entryPoints) entryPoints.set(name, new HttpEntryPoint(httpEntryPointOptions(name, entryPointConfig, options.tlsManager), switcher, logger));
  }
  metrics?.setGaugeSources({
    openConnections: () => Promise.all([...entryPoints.values()].map(async (entryPoint) => ({ entryPoint: entryPoint.name, count: await entryPoint.openConnections() }))),
    serversUp: () => serversUp(current?.status, servers.statuses()),
  });

  let closing: Promise<void> | undefined;
  return {
    entryPoints,
    metrics,
    accessLog,
    current: () => current,
    apply(snapshot) {
      const graph = compile(snapshot, compileOptions);
      const previous = current;
      current = graph;
      switcher.set(graph);
      metrics?.configReloaded(elementNames(graph, 'http.routers'), elementNames(graph, 'http.services'));
      options.tls.apply(snapshot, graph.routes);
      // The old graph's requests keep running on their own handlers; only its timers and checks stop.
      previous?.close();
      return graph;
    },
    async listen() {
      for (const entryPoint of entryPoints.values()) await entryPoint.listen(options.announce);
    },
    beginTermination() {
      terminating = true;
    },
    close() {
      closing ??= (async () => {
        terminating = true;
        // Entrypoints drain together; only then are upstream pools closed (closing them earlier would cut requests).
        await Promise.all([...entryPoints.values()].map((entryPoint) => entryPoint.shutdown(() => upgrades.closeAll())));
        await transports.close();
        await accessLog?.close();
        current?.close();
      })();
      return closing;
    },
  };
}

function elementNames(graph: RuntimeGraph, section: 'http.routers' | 'http.services'): Set<string> {
  const names = new Set<string>();
  for (const info of graph.status.elements.values()) if (info.section === section) names.add(info.name);
  return names;
}
