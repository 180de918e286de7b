import { readFile } from 'node:fs/promises';
import { HttpChallengeStore } from '../acme/challenges/http-01.js';
import { TlsAlpnChallengeStore } from '../acme/challenges/tls-alpn-01.js';
import { createHttpChallengeHandler } from '../acme/http-challenge-handler.js';
import { createTlsCoordinator } from '../acme/tls-coordinator.js';
import type { Snapshot } from '../config/dynamic/snapshot.js';
import type { StaticConfig } from '../config/static/schema.js';
import { BerthError } from '../errors/berth-error.js';
import type { Logger } from '../observability/logger.js';
import { ServerStateRegistry } from '../runtime/services/index.js';
import { loadDefaultCertificate } from '../tls/default-certificate.js';
import { createTlsManager } from '../tls/tls-manager.js';
import { deepFreeze } from '../util/deep-freeze.js';
import { createApiForwarder } from './api-forwarder.js';
import { isMessage, LEADER_METRICS_PATH, type HealthTable, type InitMessage, type LeaderMessage, type WorkerMessage } from './messages.js';
import { createServingPlane } from './serving-plane.js';

/** The IPC channel to the leader (process.send/process.on('message') in a cluster worker). */
export interface LeaderChannel {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: LeaderMessage) => void): void;
  /** Called once when the leader is gone (the IPC channel closed). */
  onDisconnect(listener: () => void): void;
}

/**
 * What a worker process runs: one serving plane fed by the leader. It opens the entrypoints (cluster shares the
 * listening sockets between workers), compiles every snapshot it receives without active health checks, takes
 * server health, ACME challenges and the API from the leader, and exits after the leader's shutdown message
 * or when the leader is gone. Resolves with the exit code.
 */
export async function runWorker(loggerFor: (config: StaticConfig) => Logger, channel: LeaderChannel): Promise<number> {
  // Messages are queued until the plane can take them: a snapshot sent while the entrypoints open must not be lost.
  const inbox: LeaderMessage[] = [];
  let deliver: ((message: LeaderMessage) => void) | undefined;
  let gotInit: ((message: InitMessage) => void) | undefined;
  channel.onMessage((message) => {
    if (message.type === 'init') gotInit?.(message);
    else if (deliver === undefined) inbox.push(message);
    else deliver(message);
  });
  const init = await new Promise<InitMessage>((resolve) => {
    gotInit = resolve;
    channel.send({ type: 'hello' });
  });
  const { config } = init;
  const log = loggerFor(config).child({ workerId: init.workerId });
  // The leader compiles the same snapshots with the same code and logs their issues and TLS warnings once.
  const quiet = (component: string): Logger => log.child({ component }, { level: 'error' });

  const servers = new ServerStateRegistry();
  let leaderHealth = new Map<string, boolean>(init.health);
  const applyHealth = (): void => {
    for (const [url, up] of leaderHealth) servers.setHealth(url, up);
  };
  const httpChallenges = new HttpChallengeStore();
  const tlsChallenges = new TlsAlpnChallengeStore();
  for (const challenge of init.httpChallenges) httpChallenges.set(challenge);
  for (const challenge of init.tlsChallenges) tlsChallenges.set(challenge);

  const tlsManager = await createTlsManager({
    readFile: (path) => readFile(path, 'utf8'),
    generatedDefault: loadDefaultCertificate(init.defaultCertificate),
    challengeCertificateFor: (serverName) => tlsChallenges.challengeCertificateFor(serverName),
  });
  const plane = createServingPlane(config, {
    logger: log,
    servers,
    tlsManager,
    tls: createTlsCoordinator({ manager: tlsManager, acme: [], logger: quiet('tls') }),
    api: createApiForwarder(init.apiSocket),
    // A scrape must count every worker's traffic, not only this one's: the leader merges them.
    prometheus: createApiForwarder(init.apiSocket, LEADER_METRICS_PATH),
    acmeHttp: createHttpChallengeHandler(() => [httpChallenges]),
    activeHealthChecks: false,
    // Cluster ids count from 1: workers 1 and 2 start round robin on the first and second server.
    balancerRotation: init.workerId - 1,
    entryPoints: true,
    announce: 'debug',
    compileLogger: quiet('compile'),
  });

  let stopping: Promise<number> | undefined;
  const stop = (): Promise<number> => {
    stopping ??= plane.close().then(() => 0, (err: unknown) => {
      log.error({ err }, 'shutdown failed');
      return 1;
    });
    return stopping;
  };
  const apply = (snapshot: Snapshot, health: HealthTable): void => {
    plane.apply(deepFreeze(snapshot) as Snapshot);
    leaderHealth = new Map(health);
    // Server states exist once the graph using them is compiled: the leader's decisions apply from then on.
    applyHealth();
    log.debug({ generation: snapshot.generation }, 'worker applied configuration');
    channel.send({ type: 'applied', generation: snapshot.generation });
  };

  try {
    await plane.listen();
  } catch (err) {
    channel.send({ type: 'listen-failed', code: err instanceof BerthError ? err.code : undefined, message: err instanceof Error ? err.message : String(err) });
    await stop();
    return 1;
  }
  channel.send({ type: 'listening', ports: Object.fromEntries([...plane.entryPoints].map(([name, entryPoint]) => [name, entryPoint.port])) });
  if (init.snapshot !== undefined) apply(init.snapshot, init.health);

  return new Promise<number>((resolve) => {
    channel.onDisconnect(() => {
      log.warn('the leader is gone: shutting down');
      void stop().then(resolve);
    });
    deliver = (message) => {
      switch (message.type) {
        case 'init':
          return;
        case 'snapshot':
          return apply(message.snapshot, message.health);
        case 'health':
          leaderHealth.set(message.url, message.up);
          return servers.setHealth(message.url, message.up);
        case 'http-challenge':
          return message.change.op === 'set' ? httpChallenges.set(message.change.challenge) : httpChallenges.delete(message.change.token);
        case 'tls-challenge':
          return message.change.op === 'set' ? tlsChallenges.set(message.change.challenge) : tlsChallenges.delete(message.change.domain);
        case 'metrics-request':
          void (plane.metrics?.render() ?? Promise.resolve('')).then(
            (text) => channel.send({ type: 'metrics', id: message.id, text }),
            () => channel.send({ type: 'metrics', id: message.id, text: '' }),
          );
          return;
        case 'reopen-access-log':
          return plane.accessLog?.reopen();
        case 'shutdown':
          void stop().then(resolve);
          return;
      }
    };
    for (const message of inbox.splice(0)) deliver(message);
  });
}

/** The cluster worker's side of the IPC channel. */
export function processChannel(): LeaderChannel {
  return {
    send(message) {
      if (process.connected) process.send?.(message);
    },
    onMessage(listener) {
      process.on('message', (message: unknown) => {
        if (isMessage<LeaderMessage>(message)) listener(message);
      });
    },
    onDisconnect(listener) {
      process.once('disconnect', listener);
    },
  };
}
