import type { DynamicConfig } from '../config/dynamic/model.js';
import { qualify, resolveReference } from '../config/dynamic/qualify.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ElementOrigins } from '../providers/provider.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import { cloneData } from '../util/clone-data.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import { ELEMENT_SECTIONS, ensureSection, readSection } from '../util/dynamic-sections.js';
import { qualifyReferences } from './qualify-references.js';

/** What the watcher holds for one provider: its configuration in force and its latest issues. */
export interface ProviderState {
  readonly config: DynamicConfig | DeepReadonly<DynamicConfig>;
  readonly issues: readonly ConfigIssue[];
  readonly origins?: ElementOrigins;
}

/**
 * Merges the providers' configurations into one, as Traefik's `mergeConfiguration` does: every element is
 * keyed `name@provider` and every reference inside it is qualified with its provider unless it already has
 * an `@` (qualify-references.ts). TLS options and stores are qualified too, except `default`. Certificates
 * are concatenated. Issues are kept, with element names qualified.
 *
 * Providers are taken in name order, so the result does not depend on who published first. When two
 * providers define the `default` TLS options or store, the first keeps it and the other is reported;
 * Traefik drops both (and with them every router using the default options), which turns one duplicate into
 * an outage.
 *
 * Pure: the inputs are copied, never changed. The result's maps have no prototype.
 */
export function mergeProviders(latest: ReadonlyMap<string, ProviderState>): { config: DynamicConfig; issues: ConfigIssue[]; origins: Record<string, Readonly<Record<string, string>>> } {
  const config = emptyConfig();
  const issues: ConfigIssue[] = [];
  const origins: Record<string, Readonly<Record<string, string>>> = Object.create(null) as Record<string, Readonly<Record<string, string>>>;
  const defaults = { options: undefined as string | undefined, stores: undefined as string | undefined };
  for (const provider of [...latest.keys()].sort()) {
    const state = latest.get(provider) as ProviderState;
    const source = cloneData(state.config) as DynamicConfig;
    const qualifyRef = (reference: string): string => resolveReference(reference, provider);
    for (const section of ELEMENT_SECTIONS) {
      const target = ensureSection(config, section);
      for (const [name, element] of Object.entries(readSection(source, section) ?? {})) {
        qualifyReferences[section](element as never, qualifyRef);
        target[qualify(name, provider)] = element;
      }
    }
    config.tls?.certificates?.push(...(source.tls?.certificates ?? []));
    for (const kind of ['options', 'stores'] as const) {
      const target = config.tls?.[kind] as Record<string, unknown>;
      for (const [name, value] of Object.entries(source.tls?.[kind] ?? {})) {
        if (name !== 'default') {
          target[qualify(name, provider)] = value;
        } else if (defaults[kind] === undefined) {
          defaults[kind] = provider;
          target[name] = value;
        } else {
          issues.push(defaultConflict(kind, defaults[kind], provider));
        }
      }
    }
    for (const issue of state.issues) issues.push(qualifyIssue(issue, provider));
    // Origins are keyed `<section>/<name>`; the name gets its provider like the element itself.
    for (const [key, fields] of Object.entries(state.origins ?? {})) origins[qualify(key, provider)] = fields;
  }
  return { config, issues, origins };
}

function qualifyIssue(issue: ConfigIssue, provider: string): ConfigIssue {
  if (issue.element === undefined || issue.element.name.includes('@')) return issue;
  return { ...issue, element: { section: issue.element.section, name: qualify(issue.element.name, provider) } };
}

function defaultConflict(kind: 'options' | 'stores', first: string, provider: string): ConfigIssue {
  const what = kind === 'options' ? 'default TLS options' : 'default TLS store';
  return {
    code: ErrorCodes.DUPLICATE_ELEMENT,
    severity: 'error',
    where: `tls.${kind}.default from provider ${provider}`,
    message: `the ${what} ${kind === 'options' ? 'are' : 'is'} defined by providers "${first}" and "${provider}"; the one from "${first}" is used (providers are taken in name order). Define "tls.${kind}.default" in one provider only`,
  };
}

function emptyConfig(): DynamicConfig {
  const named = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
  return {
    http: { routers: named(), services: named(), middlewares: named(), serversTransports: named() },
    tcp: { routers: named(), services: named(), middlewares: named(), serversTransports: named() },
    udp: { routers: named(), services: named() },
    tls: { certificates: [], options: named(), stores: named() },
  };
}
