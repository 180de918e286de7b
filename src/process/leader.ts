import cluster from 'node:cluster';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpChallengeHandler } from '../acme/http-challenge-handler.js';
import type { StaticConfig } from '../config/static/schema.js';
import type { Logger } from '../observability/logger.js';
import { createPrometheusHandler } from '../observability/metrics/handler.js';
import { mergeExpositions } from '../observability/metrics/merge.js';
import { ServerStateRegistry } from '../runtime/services/index.js';
import { generateDefaultCertificatePem, loadDefaultCertificate } from '../tls/default-certificate.js';
import { createControlPlane, type ControlPlane } from './control-plane.js';
import { LEADER_METRICS_PATH, type HealthTable, type InitMessage } from './messages.js';
import { createServingPlane, type ServingPlane } from './serving-plane.js';
import { workerCount } from './worker-count.js';
import { WorkerPool } from './worker-pool.js';

/** How long a scrape waits for each worker's numbers; a worker that is slower is left out of that scrape. */
const METRICS_REPLY_MS = 2000;


/** The running leader, as main.ts drives it. */
export interface Leader {
  /** SIGUSR1: every worker reopens its access log. */
  reopenAccessLog(): void;
  /** Graceful shutdown: workers drain (graceTimeOut) and exit, then providers and ACME stop. */
  close(): Promise<void>;
}

/**
 * The leader (cluster primary) of the multi-process mode. It runs the control plane (providers, watcher, ACME,
 * the API's state) and a serving plane without entrypoints that compiles every snapshot, so that active health
 * checks run here once, the TLS coordinator knows which names need certificates and the API status is complete.
 * Workers get every snapshot, health change and ACME challenge over IPC; the API is served on a private Unix
 * socket their `api@internal` forwards to. Resolves once every worker listens and applied the first snapshot.
 */
export async function startLeader(config: StaticConfig, options: { readonly logger: Logger; readonly env: Readonly<Record<string, string | undefined>> }): Promise<Leader> {
  const { logger } = options;
  const count = workerCount(config.workers);
  const servers = new ServerStateRegistry();
  let control: ControlPlane | undefined;
  let compiler: ServingPlane | undefined;
  let pool: WorkerPool | undefined;
  let apiServer: Server | undefined;
  const apiDir = await mkdtemp(join(tmpdir(), 'berth-leader-'));
  const apiSocket = join(apiDir, 'api.sock');

  const closeAll = async (): Promise<void> => {
    // Workers first: they serve traffic and drain with graceTimeOut; the leader's parts stop after them.
    await pool?.shutdown(Object.values(config.entryPoints).reduce((max, ep) => Math.max(max, ep.transport.lifeCycle.graceTimeOut + ep.transport.lifeCycle.requestAcceptGraceTimeout), 0) + 5000);
    const results = await Promise.allSettled([
      compiler?.close(),
      control?.close(),
      new Promise<void>((resolve) => (apiServer === undefined ? resolve() : apiServer.close(() => resolve()))),
    ]);
    for (const result of results) if (result.status === 'rejected') logger.error({ err: result.reason }, 'error during shutdown');
    servers.close();
    await rm(apiDir, { recursive: true, force: true });
  };

  try {
    const defaultCertificate = await generateDefaultCertificatePem();
    const plane = await createControlPlane(config, { logger, env: options.env, servers, generatedDefault: loadDefaultCertificate(defaultCertificate), workers: () => pool?.views() ?? [] });
    control = plane;
    compiler = createServingPlane(config, {
      logger,
      servers,
      tlsManager: plane.tlsManager,
      tls: plane.tls,
      api: plane.api,
      acmeHttp: createHttpChallengeHandler(() => plane.httpChallenges),
      activeHealthChecks: true,
      entryPoints: false,
      announce: 'info',
      compileLogger: logger.child({ component: 'compile' }),
    });
    // The private server: the API, and Prometheus scrapes relayed by workers, answered for all of them at once.
    const merged = createPrometheusHandler({ render: async () => mergeExpositions(await (pool?.collectMetrics(METRICS_REPLY_MS) ?? [])) });
    const server = createServer((req, res) => (req.url === LEADER_METRICS_PATH ? merged(req, res) : plane.api(req, res)));
    apiServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(apiSocket, () => resolve());
    });

    const healthTable = (): HealthTable => [...servers.statuses()].map(([url, status]) => [url, status === 'UP'] as const);
    const init = (workerId: number): InitMessage => ({
      type: 'init',
      workerId,
      config,
      defaultCertificate,
      apiSocket,
      snapshot: lastSnapshot,
      health: healthTable(),
      httpChallenges: plane.httpChallenges.flatMap((store) => store.entries()),
      tlsChallenges: plane.tlsChallenges.flatMap((store) => store.entries()),
    });
    let lastSnapshot: InitMessage['snapshot'];
    // SCHED_RR: the leader accepts and hands connections to workers in turn (see docs/lifecycle.md for why).
    cluster.schedulingPolicy = cluster.SCHED_RR;
    cluster.setupPrimary({ serialization: 'advanced', exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)), args: [] });
    const workers = new WorkerPool({ count, logger, init });
    pool = workers;
    servers.onChange((url, up) => workers.broadcast({ type: 'health', url, up }));
    for (const store of plane.httpChallenges) store.onChange((change) => workers.broadcast({ type: 'http-challenge', change }));
    for (const store of plane.tlsChallenges) store.onChange((change) => workers.broadcast({ type: 'tls-challenge', change }));

    workers.start();
    const ports = await workers.ready(0);
    for (const [name, port] of Object.entries(ports)) logger.info({ entryPointName: name, port, workers: count }, `entryPoint ${name} listening`);
    const serving = compiler;
    await plane.start((snapshot) => {
      const graph = serving.apply(snapshot);
      lastSnapshot = snapshot;
      workers.broadcast({ type: 'snapshot', snapshot, health: healthTable() });
      return graph;
    });
    await plane.tls.settled();
    // Started means serving: every worker has the first configuration.
    await workers.ready(plane.current()?.generation ?? 0);
    workers.markStarted();
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    reopenAccessLog: () => {
      compiler?.accessLog?.reopen();
      pool?.broadcast({ type: 'reopen-access-log' });
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
