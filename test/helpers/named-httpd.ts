import { TEST_IMAGE, type DockerEngine } from './docker-engine.js';

export interface NamedHttpdOptions {
  /** Container name; also the body every path answers with (plus a newline). */
  readonly name: string;
  /** The 127.0.0.1 port busybox httpd listens on (host network). */
  readonly port: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** Adds a 1-second health check that passes while /tmp/healthy exists (see `setHealthy`). */
  readonly healthCheck?: boolean;
  readonly restart?: 'always';
}

/**
 * Runs a busybox httpd container on the host network that answers its own name, so that tests can tell which
 * replica served a request. Returns the container id.
 */
export function runNamedHttpd(engine: DockerEngine, options: NamedHttpdOptions): Promise<string> {
  const labels = Object.entries(options.labels ?? {}).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
  const health = options.healthCheck === true
    ? ['--health-cmd', 'test -f /tmp/healthy', '--health-interval', '1s', '--health-retries', '1', '--health-timeout', '1s']
    : [];
  const restart = options.restart === undefined ? [] : ['--restart', options.restart];
  const script = `mkdir -p /tmp/w && echo "$0" > /tmp/w/index.html && touch /tmp/healthy && exec /bin/busybox httpd -f -p "127.0.0.1:$1" -h /tmp/w`;
  return engine.docker('run', '-d', '--name', options.name, '--network', 'host', '--init', '--stop-timeout', '1', ...restart, ...health, ...labels,
    TEST_IMAGE, '/bin/busybox', 'sh', '-c', script, options.name, String(options.port));
}

/** Makes a container started with `healthCheck` pass or fail its next health check. */
export async function setHealthy(engine: DockerEngine, id: string, healthy: boolean): Promise<void> {
  await engine.docker('exec', id, '/bin/busybox', ...(healthy ? ['touch'] : ['rm', '-f']), '/tmp/healthy');
}

/** Removes every container of the engine (between tests). */
export async function removeAllContainers(engine: DockerEngine): Promise<void> {
  const ids = await engine.docker('ps', '-aq');
  if (ids !== '') await engine.docker('rm', '-f', ...ids.split('\n'));
}
