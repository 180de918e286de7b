import type { IncomingHttpHeaders } from 'node:http';
import { header, labelText, numberText, writeRequestFamilies } from './exposition.js';
import { ScopeSeries, type RequestSeries } from './request-series.js';

/** `metrics.prometheus` and `metrics.addInternals` as the registry needs them (buckets in seconds). */
export interface PrometheusSettings {
  readonly buckets: readonly number[];
  readonly addEntryPointsLabels: boolean;
  readonly addRoutersLabels: boolean;
  readonly addServicesLabels: boolean;
  /** Label name -> request header whose value fills it. */
  readonly headerLabels: Readonly<Record<string, string>> | undefined;
  readonly addInternals: boolean;
}

/** Live values read when /metrics is scraped. */
export interface GaugeSources {
  /** Open TCP connections per entrypoint. */
  openConnections(): Promise<ReadonlyArray<{ readonly entryPoint: string; readonly count: number }>>;
  /** Every server of every loadBalancer service of the graph serving now. */
  serversUp(): Iterable<{ readonly service: string; readonly url: string; readonly up: boolean }>;
}

/**
 * Berth's Prometheus registry. Metric and label names are Traefik's (`traefik_*`, reference §8.2) on purpose, so
 * that existing dashboards and alerts work unchanged. Series live across reloads (counters never go back), and
 * those of routers and services that left the configuration are dropped at the next reload, as Traefik does.
 * The exposition text is written by hand: the format is small and this keeps the dependency list short.
 */
export class PrometheusMetrics {
  readonly settings: PrometheusSettings;
  readonly #bounds: readonly number[];
  readonly #headerNames: readonly string[];
  readonly #headerSources: readonly string[];
  readonly #entryPoints = new Map<string, ScopeSeries>();
  readonly #routers = new Map<string, ScopeSeries>();
  readonly #services = new Map<string, ScopeSeries>();
  readonly #retries = new Map<string, number>();
  #reloads = 0;
  #lastReload = 0;
  #gauges: GaugeSources | undefined;

  constructor(settings: PrometheusSettings) {
    this.settings = settings;
    this.#bounds = [...settings.buckets].sort((a, b) => a - b);
    const headerLabels = Object.entries(settings.headerLabels ?? {});
    this.#headerNames = headerLabels.map(([label]) => label);
    this.#headerSources = headerLabels.map(([, headerName]) => headerName.toLowerCase());
  }

  /** Connects the live gauges (bootstrap, once the entrypoints and registries exist). */
  setGaugeSources(sources: GaugeSources): void {
    this.#gauges = sources;
  }

  /** The series of an entrypoint, or undefined when entrypoint labels are off. */
  entryPoint(name: string): ScopeSeries | undefined {
    if (!this.settings.addEntryPointsLabels) return undefined;
    return scope(this.#entryPoints, name, [name], this.#bounds);
  }

  /** The series of a router with the service it names, or undefined when router labels are off (the default). */
  router(name: string, service: string): ScopeSeries | undefined {
    if (!this.settings.addRoutersLabels) return undefined;
    return scope(this.#routers, `${name}\u0000${service}`, [name, service], this.#bounds);
  }

  /** The series of a service, or undefined when service labels are off. */
  service(name: string): ScopeSeries | undefined {
    if (!this.settings.addServicesLabels || name === '') return undefined;
    return scope(this.#services, name, [name], this.#bounds);
  }

  /** The headerLabels values of a request, joined, or undefined when no headerLabels are configured. */
  headerValues(headers: IncomingHttpHeaders): string | undefined {
    const sources = this.#headerSources;
    if (sources.length === 0) return undefined;
    let joined = '';
    for (let i = 0; i < sources.length; i++) {
      const value = headers[sources[i] as string];
      joined += `${i === 0 ? '' : '\u0000'}${Array.isArray(value) ? value.join(',') : (value ?? '')}`;
    }
    return joined;
  }

  /** `traefik_service_retries_total`: a retry middleware sent a request again toward `service`. */
  retried(service: string, attempts: number): void {
    if (!this.settings.addServicesLabels || service === '' || attempts <= 0) return;
    this.#retries.set(service, (this.#retries.get(service) ?? 0) + attempts);
  }

  /**
   * A new configuration was applied: counts the reload, stamps the time, and forgets the series of routers and
   * services that are no longer configured.
   */
  configReloaded(routers: ReadonlySet<string>, services: ReadonlySet<string>, at = Date.now()): void {
    this.#reloads++;
    this.#lastReload = at;
    for (const key of this.#routers.keys()) if (!routers.has(key.slice(0, key.indexOf('\u0000')))) this.#routers.delete(key);
    for (const key of this.#services.keys()) if (!services.has(key)) this.#services.delete(key);
    for (const key of this.#retries.keys()) if (!services.has(key)) this.#retries.delete(key);
  }

  /** The exposition text (format 0.0.4). */
  async render(): Promise<string> {
    const out: string[] = [];
    header(out, 'traefik_config_reloads_total', 'counter', 'Config reloads');
    out.push(`traefik_config_reloads_total ${this.#reloads}`);
    header(out, 'traefik_config_last_reload_success', 'gauge', 'Last config reload success');
    out.push(`traefik_config_last_reload_success ${numberText(Math.floor(this.#lastReload / 1000))}`);

    const gauges = this.#gauges;
    if (gauges !== undefined) {
      const connections = await gauges.openConnections();
      header(out, 'traefik_open_connections', 'gauge', 'How many open connections exist, by entryPoint and protocol');
      for (const { entryPoint, count } of connections) out.push(`traefik_open_connections${labelText(['entrypoint', 'protocol'], [entryPoint, 'TCP'])} ${count}`);
    }

    const request = ['code', 'method', 'protocol', ...this.#headerNames];
    writeRequestFamilies(out, 'traefik_entrypoint', 'an entrypoint', [...request, 'entrypoint'], collect(this.#entryPoints), this.#bounds);
    writeRequestFamilies(out, 'traefik_router', 'a router', [...request, 'router', 'service'], collect(this.#routers), this.#bounds);
    writeRequestFamilies(out, 'traefik_service', 'a service', [...request, 'service'], collect(this.#services), this.#bounds);

    if (this.#retries.size > 0) {
      header(out, 'traefik_service_retries_total', 'counter', 'How many request retries happened on a service.');
      for (const [service, count] of this.#retries) out.push(`traefik_service_retries_total${labelText(['service'], [service])} ${count}`);
    }
    if (gauges !== undefined && this.settings.addServicesLabels) {
      const up = [...gauges.serversUp()];
      if (up.length > 0) {
        header(out, 'traefik_service_server_up', 'gauge', 'service server is up, described by gauge value of 0 or 1.');
        for (const server of up) out.push(`traefik_service_server_up${labelText(['service', 'url'], [server.service, server.url])} ${server.up ? 1 : 0}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

function scope(scopes: Map<string, ScopeSeries>, key: string, labels: readonly string[], bounds: readonly number[]): ScopeSeries {
  let found = scopes.get(key);
  if (found === undefined) {
    found = new ScopeSeries(labels, bounds);
    scopes.set(key, found);
  }
  return found;
}

function collect(scopes: ReadonlyMap<string, ScopeSeries>): RequestSeries[] {
  const out: RequestSeries[] = [];
  for (const scope of scopes.values()) out.push(...scope.all);
  return out;
}
