import type { StaticConfig } from './config/static/schema.js';
import type { HttpEntryPoint } from './entrypoints/http-entrypoint.js';
import type { Logger } from './observability/logger.js';
import { createHttpChallengeHandler } from './acme/http-challenge-handler.js';
import { createControlPlane, type ControlPlane } from './process/control-plane.js';
import { createServingPlane, type ServingPlane } from './process/serving-plane.js';
import type { RuntimeGraph } from './runtime/compile/compile.js';
import { ServerStateRegistry } from './runtime/services/index.js';
import { generateDefaultCertificate } from './tls/default-certificate.js';

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
 * The single-process composition (`workers: 0`, and what in-process tests use): the control plane (providers,
 * watcher, ACME, API) and one serving plane (entrypoints) in this process, sharing one TLS manager and one
 * ServerStateRegistry, so the serving plane's own health checks are the ones the API reports. The multi-process
 * mode composes the same two planes across processes (process/leader.ts, process/worker.ts). If any step fails,
 * what was started is closed before the error propagates (convention 10).
 */
export async function bootstrap(config: StaticConfig, options: BootstrapOptions): Promise<Berth> {
  const { logger } = options;
  // Per-address state that outlives snapshots (convention 2).
  const servers = new ServerStateRegistry();
  let control: ControlPlane | undefined;
  let serving: ServingPlane | undefined;
  const closeAll = async (): Promise<void> => {
    serving?.beginTermination();
    const results = await Promise.allSettled([serving?.close(), control?.close()]);
    for (const result of results) if (result.status === 'rejected') logger.error({ err: result.reason }, 'error during shutdown');
    servers.close();
  };
  try {
    control = await createControlPlane(config, { logger, env: options.env, servers, generatedDefault: await generateDefaultCertificate() });
    serving = createServingPlane(config, {
      logger,
      servers,
      tlsManager: control.tlsManager,
      tls: control.tls,
      api: control.api,
      acmeHttp: createHttpChallengeHandler(() => control?.httpChallenges ?? []),
      activeHealthChecks: true,
      entryPoints: true,
      announce: 'info',
      compileLogger: logger.child({ component: 'compile' }),
      ...(options.accessLogStdout === undefined ? {} : { accessLogStdout: options.accessLogStdout }),
    });
    await serving.listen();
    const plane = serving;
    await control.start((snapshot) => plane.apply(snapshot));
    // Started means serving: the first snapshot's certificates (stored ACME ones included) are in place too.
    await control.tls.settled();
  } catch (err) {
    await closeAll();
    throw err;
  }
  const plane = serving;
  let closing: Promise<void> | undefined;
  return {
    entryPoints: plane.entryPoints,
    current: () => plane.current(),
    reopenAccessLog: () => plane.accessLog?.reopen(),
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
