import { readFile } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import Docker from 'dockerode';
import type { DockerProviderSettings } from '../../config/static/providers.js';
import { containerFromInspect, type ContainerInfo, type RawContainerInspect } from './container.js';
import type { EngineEndpoint } from './endpoint.js';

/** The read-only calls the Docker provider makes: version, list + inspect, and the event stream. */
export interface EngineClient {
  /** Engine and API version; also the liveness check of a (re)connection. */
  version(signal: AbortSignal): Promise<{ readonly version: string; readonly apiVersion: string }>;
  /** Every container (running or not), inspected. Containers removed meanwhile are left out. */
  listContainers(signal: AbortSignal): Promise<ContainerInfo[]>;
  /**
   * Subscribes to container and network events; `onEvent` gets each relevant one, `onEnd` is called once
   * when the stream ends or fails. Resolves once the daemon accepted the subscription.
   */
  watchEvents(signal: AbortSignal, onEvent: (event: EngineEvent) => void, onEnd: (error: Error) => void): Promise<void>;
  /** Releases pooled connections (the TLS agent); in-flight calls are stopped by their signals. */
  close(): void;
}

export interface EngineEvent {
  readonly type: string;
  readonly action: string;
  readonly id: string;
}

// Container actions that change what the provider publishes. exec_* events (every health check probe runs
// one) are deliberately absent: they would trigger a re-list per probe.
const CONTAINER_ACTIONS = new Set(['create', 'start', 'restart', 'die', 'stop', 'kill', 'oom', 'destroy', 'pause', 'unpause', 'rename', 'update']);
const NETWORK_ACTIONS = new Set(['connect', 'disconnect']);

/** True for events after which the configuration may differ. */
export function isRelevantEvent(event: EngineEvent): boolean {
  if (event.type === 'container') return CONTAINER_ACTIONS.has(event.action) || event.action.startsWith('health_status');
  return event.type === 'network' && NETWORK_ACTIONS.has(event.action);
}

const INSPECT_CONCURRENCY = 8;

/**
 * A client on dockerode. No API version is pinned: requests use the unversioned path, which the daemon serves
 * with its own current version (Docker 29 refuses versions below 1.44, so pinning an old one would break).
 */
export async function createEngineClient(endpoint: EngineEndpoint, settings: DockerProviderSettings): Promise<EngineClient> {
  const headers: Record<string, string> = {};
  if (settings.username && settings.password) {
    headers['Authorization'] = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  }
  const tls = endpoint.protocol === 'https' ? await readTls(endpoint) : {};
  const agent = endpoint.protocol === 'https' ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: !(endpoint.tls?.insecureSkipVerify ?? false), ...tls }) : undefined;
  // Every option is given explicitly: docker-modem otherwise fills gaps from DOCKER_HOST and DOCKER_CERT_PATH.
  const base = {
    socketPath: endpoint.socketPath,
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    headers,
    version: undefined,
    pathPrefix: '/',
    agent,
  };
  const api = new Docker({ ...base, ...(settings.httpClientTimeout > 0 ? { timeout: settings.httpClientTimeout } : { timeout: undefined }) } as Docker.DockerOptions);
  // The event stream is idle for long stretches: it must not carry the request timeout.
  const stream = new Docker({ ...base, timeout: undefined } as Docker.DockerOptions);

  return {
    async version(signal) {
      // dockerode's types omit the options of version(); the implementation takes { abortSignal }.
      const versionWithOptions = api.version as unknown as (options: { abortSignal: AbortSignal }) => Promise<{ Version?: string; ApiVersion?: string }>;
      const answer = await versionWithOptions.call(api, { abortSignal: signal });
      return { version: answer.Version ?? 'unknown', apiVersion: answer.ApiVersion ?? 'unknown' };
    },

    async listContainers(signal) {
      const summaries = await api.listContainers({ all: true, abortSignal: signal } as Docker.ContainerListOptions);
      const ids = summaries.map((summary) => summary.Id);
      const out: Array<ContainerInfo | undefined> = new Array(ids.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < ids.length) {
          const index = next++;
          out[index] = await inspect(api, ids[index] as string, signal);
        }
      };
      await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, ids.length) }, worker));
      return out.filter((info): info is ContainerInfo => info !== undefined);
    },

    async watchEvents(signal, onEvent, onEnd) {
      const events = await stream.getEvents({ filters: { type: ['container', 'network'] }, abortSignal: signal } as Docker.GetEventsOptions);
      let buffer = '';
      let ended = false;
      const end = (error: Error): void => {
        if (ended) return;
        ended = true;
        onEnd(error);
      };
      events.on('data', (chunk: Buffer | string) => {
        buffer += chunk.toString();
        let newline: number;
        while ((newline = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          const event = parseEvent(line);
          if (event !== undefined) onEvent(event);
        }
      });
      events.on('error', (error: Error) => end(error));
      events.on('end', () => end(new Error('the daemon closed the event stream')));
      events.on('close', () => end(new Error('the event stream was closed')));
    },

    close() {
      agent?.destroy();
    },
  };
}

async function inspect(api: Docker, id: string, signal: AbortSignal): Promise<ContainerInfo | undefined> {
  try {
    return containerFromInspect(await api.getContainer(id).inspect({ abortSignal: signal }) as RawContainerInspect);
  } catch (err) {
    // Removed between the list and the inspect: it is simply gone.
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

function parseEvent(line: string): EngineEvent | undefined {
  if (line === '') return undefined;
  try {
    const raw = JSON.parse(line) as { Type?: string; Action?: string; status?: string; Actor?: { ID?: string }; id?: string };
    return { type: raw.Type ?? 'container', action: raw.Action ?? raw.status ?? '', id: raw.Actor?.ID ?? raw.id ?? '' };
  } catch {
    return undefined;
  }
}

async function readTls(endpoint: EngineEndpoint): Promise<{ ca?: string; cert?: string; key?: string }> {
  const files = endpoint.tls ?? { insecureSkipVerify: false };
  const read = async (path: string | undefined) => (path === undefined ? undefined : await readFile(path, 'utf8'));
  const [ca, cert, key] = await Promise.all([read(files.ca), read(files.cert), read(files.key)]);
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
}
