import cluster, { type Worker } from 'node:cluster';
import type { WorkerView } from '../api/routes.js';
import { BerthError } from '../errors/berth-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { Logger } from '../observability/logger.js';
import { isMessage, type InitMessage, type LeaderMessage, type WorkerMessage } from './messages.js';

/** More than this many unexpected exits within CRASH_WINDOW_MS is a crash loop: replacements wait. */
const CRASH_LIMIT = 5;
const CRASH_WINDOW_MS = 30_000;

interface Member {
  readonly worker: Worker;
  readonly startedAt: Date;
  /** Got its init message: from then on it receives every broadcast. */
  initialized: boolean;
  ports: Readonly<Record<string, number>> | undefined;
  generation: number;
}

export interface WorkerPoolOptions {
  readonly count: number;
  readonly logger: Logger;
  /** The init message for a worker that said hello (the leader's full current state). */
  readonly init: (workerId: number) => InitMessage;
}

/**
 * The leader's workers: forks them, hands each its init state, relays broadcasts, replaces a worker that exits
 * unexpectedly (with a pause when they crash in a loop), and shuts them all down gracefully.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #members = new Map<number, Member>();
  readonly #crashes: number[] = [];
  readonly #waiters = new Set<() => void>();
  #failure: Error | undefined;
  #stopping = false;
  #started = false;
  readonly #replacements = new Set<NodeJS.Timeout>();
  readonly #metricsReplies = new Map<number, (text: string) => void>();
  #metricsRequests = 0;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Forks the initial workers. */
  start(): void {
    for (let i = 0; i < this.#options.count; i++) this.#fork();
  }

  /** Resolves once every worker listens and applied `generation` (0: just listens); rejects if one failed to start. */
  ready(generation: number): Promise<Readonly<Record<string, number>>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.#failure !== undefined) {
          this.#waiters.delete(check);
          reject(this.#failure);
          return;
        }
        const members = [...this.#members.values()];
        if (members.length < this.#options.count || !members.every((m) => m.ports !== undefined && m.generation >= generation)) return;
        this.#waiters.delete(check);
        resolve(members[0]?.ports ?? {});
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Start-up is over: from now on a worker that fails is replaced instead of failing the start. */
  markStarted(): void {
    this.#started = true;
  }

  /** Sends to every initialized worker; the others will get the state in their init message. */
  broadcast(message: LeaderMessage): void {
    for (const member of this.#members.values()) if (member.initialized && member.worker.isConnected()) member.worker.send(message);
  }

  /**
   * Every worker's Prometheus exposition text. A worker that does not answer within `timeoutMs` (busy, or
   * exiting) is left out rather than holding the scrape.
   */
  collectMetrics(timeoutMs: number): Promise<string[]> {
    const members = [...this.#members.values()].filter((member) => member.initialized && member.worker.isConnected());
    return Promise.all(members.map((member) => new Promise<string>((resolve) => {
      const id = ++this.#metricsRequests;
      const timer = setTimeout(() => done(''), timeoutMs);
      const done = (text: string): void => {
        clearTimeout(timer);
        this.#metricsReplies.delete(id);
        resolve(text);
      };
      this.#metricsReplies.set(id, done);
      member.worker.send({ type: 'metrics-request', id });
    })));
  }

  views(): WorkerView[] {
    return [...this.#members.values()].map((m) => ({ id: m.worker.id, pid: m.worker.process.pid ?? 0, generation: m.generation, startedAt: m.startedAt.toISOString() }));
  }

  /**
   * Graceful shutdown of every worker (each drains its entrypoints with graceTimeOut), resolved when all exited.
   * `timeoutMs` later, those still running are killed.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#replacements) clearTimeout(timer);
    const exits = [...this.#members.values()].map(({ worker }) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      if (worker.isConnected()) worker.send({ type: 'shutdown' } satisfies LeaderMessage);
      else worker.process.kill('SIGTERM');
    }));
    const timer = setTimeout(() => {
      for (const { worker } of this.#members.values()) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, timeoutMs);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  #fork(): void {
    const worker = cluster.fork();
    const member: Member = { worker, startedAt: new Date(), initialized: false, ports: undefined, generation: 0 };
    this.#members.set(worker.id, member);
    worker.on('message', (message: unknown) => {
      if (isMessage<WorkerMessage>(message)) this.#onMessage(member, message);
    });
    // An IPC write to a worker that just died fails asynchronously; its exit is handled below.
    worker.on('error', (err) => this.#options.logger.debug({ err, workerId: worker.id }, 'worker IPC error'));
    worker.once('exit', (code, signal) => this.#onExit(member, code, signal));
  }

  #onMessage(member: Member, message: WorkerMessage): void {
    switch (message.type) {
      case 'hello':
        member.worker.send(this.#options.init(member.worker.id));
        member.initialized = true;
        return;
      case 'listening':
        member.ports = message.ports;
        break;
      case 'listen-failed':
        if (this.#started) this.#options.logger.error({ workerId: member.worker.id, code: message.code }, message.message);
        else this.#failure ??= new BerthError(ErrorCodes.LISTEN_FAILED, message.message);
        break;
      case 'applied':
        member.generation = message.generation;
        break;
      case 'metrics':
        this.#metricsReplies.get(message.id)?.(message.text);
        return;
    }
    for (const waiter of [...this.#waiters]) waiter();
  }

  #onExit(member: Member, code: number | null, signal: string | null): void {
    this.#members.delete(member.worker.id);
    if (this.#stopping) return;
    const { logger } = this.#options;
    const fields = { workerId: member.worker.id, workerPid: member.worker.process.pid, code, signal };
    if (!this.#started) {
      // A worker that dies while Berth starts would die again: start-up fails instead of looping.
      this.#failure ??= new BerthError(ErrorCodes.LISTEN_FAILED, `worker ${member.worker.id} exited during start-up (code ${String(code)}, signal ${String(signal)})`);
      for (const waiter of [...this.#waiters]) waiter();
      return;
    }
    const now = Date.now();
    this.#crashes.push(now);
    while (this.#crashes.length > 0 && (this.#crashes[0] ?? now) < now - CRASH_WINDOW_MS) this.#crashes.shift();
    const delay = this.#crashes.length > CRASH_LIMIT ? (this.#crashes[this.#crashes.length - CRASH_LIMIT] ?? now) + CRASH_WINDOW_MS - now : 0;
    if (delay > 0) logger.error({ ...fields, delayMs: delay }, `worker exited unexpectedly; workers keep crashing (more than ${CRASH_LIMIT} in ${CRASH_WINDOW_MS / 1000} s), so the replacement waits`);
    else logger.error(fields, 'worker exited unexpectedly; starting a replacement');
    const timer = setTimeout(() => {
      this.#replacements.delete(timer);
      if (!this.#stopping) this.#fork();
    }, delay);
    this.#replacements.add(timer);
  }
}
