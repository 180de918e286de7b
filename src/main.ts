#!/usr/bin/env node
import type { Berth } from './bootstrap.js';
import { parseCommandLine, usage, type CommandLine } from './cli/command-line.js';
import { probeUrl, runHealthcheck } from './cli/healthcheck.js';
import { healthcheckTarget } from './cli/healthcheck-target.js';
import { readTextFile } from './cli/read-file.js';
import { loadStaticConfig, type StaticConfig } from './config/static/index.js';
import { BerthError } from './errors/berth-error.js';
import { formatIssue, hasErrors, type ConfigIssue } from './errors/config-issue.js';
import { loggerFrom } from './observability/from-static.js';
import { BERTH_VERSION } from './version.js';
import { createWhoamiServer } from './whoami/server.js';

/**
 * The `berth` command: run (default), check, healthcheck, version, whoami, help. Static configuration comes from
 * a file, BERTH_* / TRAEFIK_* variables and flags; a configuration that does not validate stops start-up with
 * every problem listed at once.
 */
async function main(argv: readonly string[]): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(argv);
  } catch (err) {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  switch (commandLine.command) {
    case 'help':
      process.stdout.write(usage());
      return 0;
    case 'version':
      process.stdout.write(`berth ${BERTH_VERSION} (node ${process.version})\n`);
      return 0;
    case 'whoami':
      return runWhoami(commandLine);
    case 'healthcheck': {
      // In a container, no flags means "the flags of the container's main process" (see healthcheck-target.ts).
      const target = await healthcheckTarget(commandLine.args, process.argv[1] ?? '');
      let result;
      if (target.kind === 'url') {
        result = await probeUrl(target.url);
      } else {
        const config = loadOrReport(target.args);
        if (config === undefined) return 1;
        result = await runHealthcheck(config);
      }
      (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
      return result.ok ? 0 : 1;
    }
    case 'check':
      return runCheck(commandLine.args);
    case 'run':
      return run(commandLine.args);
  }
}

function loadOrReport(args: readonly string[]): StaticConfig | undefined {
  const result = loadStaticConfig({ argv: args, env: process.env, cwd: process.cwd(), readFile: readTextFile });
  if (!result.ok) {
    printIssues(result.issues);
    process.stderr.write(`berth: the static configuration is invalid (${count(result.issues)}); nothing was started\n`);
    return undefined;
  }
  printIssues(result.warnings);
  return result.config;
}

async function runCheck(args: readonly string[]): Promise<number> {
  const result = loadStaticConfig({ argv: args, env: process.env, cwd: process.cwd(), readFile: readTextFile });
  if (!result.ok) {
    printIssues(result.issues, process.stdout);
    process.stdout.write(`static configuration: ${count(result.issues)}\n`);
    return 1;
  }
  const source = result.source.file ?? (result.source.embeddedDefault ? 'the embedded default configuration' : 'flags and environment');
  const { checkDynamicConfiguration } = await import('./cli/check.js');
  const dynamic = await checkDynamicConfiguration(result.config, process.env, { unreachable: result.source.embeddedDefault ? 'warning' : 'error' });
  const issues = [...result.warnings, ...dynamic];
  printIssues(issues, process.stdout);
  process.stdout.write(`checked ${source}: ${count(issues)}\n`);
  return hasErrors(issues) ? 1 : 0;
}

async function run(args: readonly string[]): Promise<number> {
  const config = loadOrReport(args);
  if (config === undefined) return 1;
  const multiProcess = config.workers !== 0;
  // Several processes share standard output in the multi-process mode: each log line is one write (logger.ts).
  const logger = loggerFrom(config.log, { sync: multiProcess });
  // Signals are taken before start-up: a SIGTERM while providers start (docker stop right after docker start) must
  // still shut down gracefully once what was started is up, not kill the process halfway.
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  let early: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (handler !== undefined) handler(signal);
    else early ??= signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Loaded here rather than at the top: a Docker HEALTHCHECK starts `berth healthcheck` every few seconds, and
  // the proxy's modules are most of the start-up time of a command that needs none of them.
  let berth: Pick<Berth, 'reopenAccessLog' | 'close'>;
  try {
    if (multiProcess) {
      const { startLeader } = await import('./process/leader.js');
      berth = await startLeader(config, { logger, env: process.env });
    } else {
      const { bootstrap } = await import('./bootstrap.js');
      berth = await bootstrap(config, { logger, env: process.env });
    }
  } catch (err) {
    logger.fatal({ err, code: err instanceof BerthError ? err.code : undefined }, err instanceof Error ? err.message : String(err));
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  logger.info({ version: BERTH_VERSION }, 'berth started');
  // Traefik reopens its log files on USR1, for logrotate (the leader passes it on to its workers).
  process.on('SIGUSR1', () => berth.reopenAccessLog());
  return new Promise<number>((resolve) => {
    let stopping = false;
    handler = (signal) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        resolve(1);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'shutting down gracefully');
      berth.close().then(() => resolve(0), (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        resolve(1);
      });
    };
    if (early !== undefined) handler(early);
  });
}

function runWhoami(commandLine: CommandLine): Promise<number> {
  const port = Number(commandLine.options['port'] ?? 80);
  const host = String(commandLine.options['host'] ?? '0.0.0.0');
  const nameOption = commandLine.options['name'];
  const server = createWhoamiServer({ host, port, ...(typeof nameOption === 'string' ? { name: nameOption } : {}) });
  return new Promise((resolve) => {
    server.once('error', (err) => {
      process.stderr.write(`berth whoami: ${err.message}\n`);
      resolve(1);
    });
    server.listen(port, host, () => process.stdout.write(`whoami listening on ${host}:${port}\n`));
    const stop = (): void => void server.close(() => resolve(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

function printIssues(issues: readonly ConfigIssue[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const issue of issues) stream.write(`${formatIssue(issue)}\n`);
}

function count(issues: readonly ConfigIssue[]): string {
  const errors = issues.filter((issue) => issue.severity === 'error').length;
  const warnings = issues.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Providers and listeners are closed by now, so the process normally ends at once. Anything left (a stuck socket)
    // must not keep it alive: name what holds it, so that the leak can be found, then exit anyway.
    setTimeout(() => {
      process.stderr.write(`berth: everything is closed but the process is still held by ${process.getActiveResourcesInfo().join(', ')}; exiting\n`);
      process.exit(code);
    }, 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`berth: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
