import { decodeLabels, labelWhere } from '../../config/labels/decode.js';
import { formatPath, type Path } from '../../config/schema/index.js';
import { collectOrigins, type ElementOrigins } from '../origins.js';
import type { DynamicConfig } from '../../config/dynamic/model.js';
import type { DockerProviderSettings } from '../../config/static/providers.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import type { AddressContext } from './address.js';
import { buildContainerConfig, type ContainerBuildEnv } from './container-config.js';
import type { ContainerInfo } from './container.js';
import { mergeContainerConfigs, type NamedContainerConfig } from './merge.js';
import { serviceNameOf } from './names.js';
import { readProviderLabels, type ProviderLabels } from './provider-labels.js';
import { compileDockerSettings, type CompiledDockerSettings } from './settings.js';

/** Facts about the world the builder needs but must not look up itself (that is I/O). */
export interface DockerBuildEnv {
  /**
   * The Docker host's address as seen from Berth, for containers in `network_mode: host`: what
   * `host.docker.internal` or `host.containers.internal` resolve to, else `127.0.0.1` (the default).
   */
  readonly hostIp?: string;
}

/**
 * Builds the Docker provider's dynamic configuration from inspected containers (pure; reference §2). Each
 * container is filtered (§2.1), its labels decoded under its prefix, completed with the automatic behaviours
 * (§2.4) and addresses (§2.5), then all containers are merged. Issues name the label and container concerned
 * and the element they disable; a problem in one container never removes another container's routes.
 */
export function buildDockerConfig(
  containers: readonly ContainerInfo[],
  settings: DockerProviderSettings,
  env: DockerBuildEnv = {},
): { config: DynamicConfig; issues: ConfigIssue[]; origins: ElementOrigins } {
  const compiled = compileDockerSettings(settings);
  if (!compiled.ok) return { config: {}, issues: compiled.issues, origins: {} };

  const providerLabels = new Map<ContainerInfo, ProviderLabels>();
  const labelsOf = (container: ContainerInfo): ProviderLabels => {
    let labels = providerLabels.get(container);
    if (labels === undefined) {
      labels = readProviderLabels(container, settings.labelPrefixes);
      providerLabels.set(container, labels);
    }
    return labels;
  };
  const address: AddressContext = {
    containers,
    hostIp: env.hostIp ?? '127.0.0.1',
    useBindPortIP: settings.useBindPortIP,
    networkOf(container) {
      const network = labelsOf(container).network;
      if (network !== undefined) return { name: network.name, from: `label ${network.key}` };
      return settings.network ? { name: settings.network, from: 'providers.docker.network' } : { from: 'none' };
    },
    prefixOf: (container) => labelsOf(container).prefix,
  };
  const containerEnv: ContainerBuildEnv = { defaultRule: compiled.compiled.defaultRule, address };

  const issues: ConfigIssue[] = [];
  const built: NamedContainerConfig[] = [];
  const origins: Record<string, Record<string, string>> = {};
  // Traefik merges containers in the order of "<service name>-<id>"; so does Berth, for the same results.
  const ordered = [...containers].sort((a, b) => compare(`${serviceNameOf(a)}-${a.id}`, `${serviceNameOf(b)}-${b.id}`));
  for (const container of ordered) {
    const labels = labelsOf(container);
    const verdict = keep(container, labels, compiled.compiled);
    if (verdict === 'invalid') issues.push(...labels.issues);
    if (verdict !== 'keep') continue;
    issues.push(...labels.issues);
    const decoded = decodeLabels(container.labels, labels.prefix, container.name);
    const result = buildContainerConfig({ container, prefix: labels.prefix, decoded, live: isLive(container) }, containerEnv);
    issues.push(...result.issues);
    collectOrigins(result.config, (path) => dockerWhere(container, labels.prefix, path), origins);
    built.push({ container: container.name, config: result.config });
  }
  const merged = mergeContainerConfigs(built);
  return { config: merged.config, issues: [...issues, ...merged.issues], origins };
}

/**
 * Names where a setting of a container came from: its label when there is one, else the provider's defaults
 * (default rule, auto-linked service, detected port).
 */
function dockerWhere(container: ContainerInfo, prefix: string, path: Path): string {
  const wanted = `${prefix}.${formatPath(path)}`.toLowerCase();
  const key = Object.keys(container.labels).find((label) => label.toLowerCase() === wanted);
  if (key !== undefined) return labelWhere(key, container.name);
  const below = Object.keys(container.labels).find((label) => label.toLowerCase().startsWith(`${wanted}.`));
  if (below !== undefined) return labelWhere(below, container.name);
  return `container ${container.name}: ${formatPath(path)} (no label; set by the Docker provider's defaults)`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** No health check, or a healthy one. */
function isHealthy(container: ContainerInfo): boolean {
  const health = container.state.health;
  return health === undefined || health === '' || health === 'none' || health === 'healthy';
}

/** Running and healthy: the container gets servers. */
function isLive(container: ContainerInfo): boolean {
  return container.state.status === 'running' && isHealthy(container);
}

/**
 * Traefik's filter order (`keepContainer`): enable (default exposedByDefault), then constraints, then
 * `<prefix>.docker.allownonrunning=true` keeps the container whatever its state, else it must be running and,
 * unless allowEmptyServices, healthy. A kept container that is not live gets services without servers (503).
 */
function keep(container: ContainerInfo, labels: ProviderLabels, compiled: CompiledDockerSettings): 'keep' | 'skip' | 'invalid' {
  if (!labels.valid) return 'invalid';
  if (!(labels.enable ?? compiled.settings.exposedByDefault)) return 'skip';
  if (!compiled.constraint(container.labels)) return 'skip';
  if (labels.allowNonRunning) return 'keep';
  if (container.state.status !== 'running') return 'skip';
  if (!compiled.settings.allowEmptyServices && !isHealthy(container)) return 'skip';
  return 'keep';
}
