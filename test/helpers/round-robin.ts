import { availableParallelism } from 'node:os';

/**
 * How far apart two equally weighted servers' request counts may be when Berth runs with its default workers
 * (one per core): each worker runs its own round robin, so each can be one request ahead on a server.
 */
export function roundRobinTolerance(): number {
  return availableParallelism();
}
