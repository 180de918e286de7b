import type { StaticConfig } from '../config/static/schema.js';
import type { RuntimeStatus } from '../runtime/status.js';
import type { ApiSource, WorkerView } from './routes.js';
import type { ServerHealth } from './views.js';

/** Builds what the API reads from static configuration and getters for the live state. */
export function createApiSource(options: {
  readonly config: StaticConfig;
  readonly status: () => RuntimeStatus | undefined;
  readonly health: ServerHealth;
  readonly providers: () => readonly string[];
  readonly version: string;
  readonly startedAt: Date;
  readonly workers?: () => readonly WorkerView[];
}): ApiSource {
  const entryPoints = Object.entries(options.config.entryPoints).map(([name, entryPoint]) => ({ ...entryPoint, name }));
  return {
    status: options.status,
    health: options.health,
    entryPoints: () => entryPoints,
    providers: options.providers,
    features: () => ({ tracing: '', metrics: options.config.metrics?.prometheus === undefined ? '' : 'Prometheus', accessLog: options.config.accessLog !== undefined }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    version: { Version: options.version, Codename: 'berth', startDate: options.startedAt.toISOString() },
  };
}
