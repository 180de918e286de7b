import type { StaticConfig } from '../config/static/schema.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { createDockerProvider } from '../providers/docker/provider.js';
import { createFileProvider } from '../providers/file/provider.js';
import { internalSettingsFrom } from '../providers/internal/from-static.js';
import { createInternalProvider } from '../providers/internal/provider.js';
import type { Provider, ProviderMessage } from '../providers/provider.js';
import { compile } from '../runtime/compile/compile.js';
import { compileEntryPointsFrom, defaultTransportFrom } from '../runtime/compile/from-static.js';
import type { Handler } from '../runtime/handler.js';
import { createForwardedHeadersPolicy, createForwarder, ServerStateRegistry, TransportRegistry, UpgradeTracker } from '../runtime/services/index.js';
import { mergeProviders, type ProviderState } from '../watcher/merge.js';
import { deepFreeze } from '../util/deep-freeze.js';

export interface CheckOptions {
  readonly logger?: Logger;
  /**
   * How a provider that published nothing (the Docker daemon unreachable) is reported. `error` by default: a check
   * that could not read the labels must not pass. `main.ts` asks for `warning` when checking the embedded default
   * configuration, whose Docker provider is only there in case a socket is mounted.
   */
  readonly unreachable?: 'error' | 'warning';
}

/**
 * `berth check` after the static configuration loaded: reads every configured provider once (the file provider's
 * files, the Docker provider's running containers), merges and compiles the result exactly as `run` would, without
 * opening a listener, and returns every issue: the providers' own (YAML, labels) and compile's (rules, references).
 */
export async function checkDynamicConfiguration(config: StaticConfig, env: Readonly<Record<string, string | undefined>>, options: CheckOptions = {}): Promise<ConfigIssue[]> {
  const logger = options.logger ?? silentLogger();
  const providers: Provider[] = [createInternalProvider(internalSettingsFrom(config))];
  if (config.providers.file !== undefined) providers.push(createFileProvider({ ...config.providers.file, watch: false }, { logger, env }));
  if (config.providers.docker !== undefined) providers.push(createDockerProvider({ ...config.providers.docker, watch: false }, { logger, env }));

  const latest = new Map<string, ProviderState>();
  const extra: ConfigIssue[] = [];
  for (const provider of providers) {
    const message = await readOnce(provider);
    if (message === undefined) {
      extra.push({
        code: ErrorCodes.DOCKER_UNREACHABLE,
        severity: options.unreachable ?? 'error',
        where: `providers.${provider.name}`,
        message: `the ${provider.name} provider published nothing (is the Docker daemon reachable at ${config.providers.docker?.endpoint ?? 'its endpoint'}?); its configuration was not checked`,
      });
      continue;
    }
    if (message.config === undefined) extra.push(...message.issues);
    latest.set(provider.name, { config: message.config ?? {}, issues: message.config === undefined ? [] : message.issues, ...(message.origins === undefined ? {} : { origins: message.origins }) });
  }
  const merged = mergeProviders(latest);
  const snapshot = deepFreeze({ generation: 1, createdAt: Date.now(), config: merged.config, issues: merged.issues, origins: merged.origins, providers: [...latest.keys()] });

  // Compile needs the service runtime, but nothing here is ever started: the graph is closed at once.
  const upgrades = new UpgradeTracker();
  const servers = new ServerStateRegistry();
  const noService: Handler = (_req, res) => res.end();
  const graph = compile(snapshot, {
    logger,
    entryPoints: compileEntryPointsFrom(config),
    defaultTransport: defaultTransportFrom(config),
    internal: new Map(['api', 'dashboard', 'ping', 'noop', 'prometheus', 'acme-http'].map((name) => [`${name}@internal`, noService])),
    services: { forwarder: createForwarder('http1', { policy: createForwardedHeadersPolicy(), upgrades, logger }), transports: new TransportRegistry(), servers, logger },
  });
  graph.close();
  servers.close();

  const issues = [...extra, ...graph.status.issues];
  for (const info of graph.status.elements.values()) issues.push(...info.issues);
  return dedupe(issues);
}

/** Starts a provider, takes its first publication and stops it. */
async function readOnce(provider: Provider): Promise<ProviderMessage | undefined> {
  const controller = new AbortController();
  let first: ProviderMessage | undefined;
  await provider.start((message) => {
    first ??= message;
  }, controller.signal);
  controller.abort();
  return first;
}

function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.severity}|${issue.where}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
