import { loggerFrom } from '../observability/from-static.js';
import { processChannel, runWorker } from './worker.js';

/**
 * The entry point of a worker process (the leader forks it with cluster.setupPrimary({ exec })). It is not
 * `main.ts`: a worker reads no command line, file or environment (the leader sends its static configuration), so
 * it loads neither the CLI nor the configuration loader and its YAML parser.
 *
 * Signals are the leader's business: a Ctrl-C reaches the whole process group, and a worker stopping on its own
 * would cut connections the leader means to drain; the worker follows the leader's shutdown message instead,
 * and exits if the leader is gone.
 */
for (const signal of ['SIGTERM', 'SIGINT', 'SIGUSR1'] as const) process.on(signal, () => undefined);

runWorker((config) => loggerFrom(config.log, { sync: true }), processChannel()).then(
  (code) => {
    process.exitCode = code;
    // The IPC channel would keep the process alive.
    if (process.connected) process.disconnect();
  },
  (err: unknown) => {
    process.stderr.write(`berth worker: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
