import type { Snapshot } from '../../config/dynamic/snapshot.js';
import { providerOf } from '../../config/dynamic/qualify.js';
import type { ConfigIssue, ElementSection } from '../../errors/config-issue.js';
import { addIssue, elementKey, type ElementInfo } from '../status.js';

const SECTIONS: ReadonlyArray<[ElementSection, (config: Snapshot['config']) => Readonly<Record<string, unknown>> | undefined]> = [
  ['http.routers', (c) => c.http?.routers],
  ['http.services', (c) => c.http?.services],
  ['http.middlewares', (c) => c.http?.middlewares],
  ['http.serversTransports', (c) => c.http?.serversTransports],
  ['tcp.routers', (c) => c.tcp?.routers],
  ['tcp.services', (c) => c.tcp?.services],
  ['tcp.middlewares', (c) => c.tcp?.middlewares],
  ['tcp.serversTransports', (c) => c.tcp?.serversTransports],
  ['udp.routers', (c) => c.udp?.routers],
  ['udp.services', (c) => c.udp?.services],
];

/** Element statuses under construction, plus the issues that belong to no element. */
export interface ElementTable {
  readonly elements: Map<string, ElementInfo>;
  readonly issues: ConfigIssue[];
  get(section: ElementSection, name: string): ElementInfo | undefined;
}

/**
 * One ElementInfo per element of the snapshot, with the issues its provider reported attached. An element
 * its provider could not decode at all (a router whose labels are broken) still gets an entry, disabled, so
 * the API shows it and why: Traefik would only log it.
 */
export function createElementTable(snapshot: Snapshot): ElementTable {
  const elements = new Map<string, ElementInfo>();
  for (const [section, pick] of SECTIONS) {
    for (const [name, config] of Object.entries(pick(snapshot.config) ?? {})) {
      elements.set(elementKey(section, name), { name, provider: providerOf(name), section, status: 'enabled', issues: [], config });
    }
  }
  const issues: ConfigIssue[] = [];
  for (const issue of snapshot.issues) {
    if (issue.element === undefined) {
      issues.push(issue);
      continue;
    }
    const key = elementKey(issue.element.section, issue.element.name);
    let info = elements.get(key);
    if (info === undefined) {
      info = { name: issue.element.name, provider: providerOf(issue.element.name), section: issue.element.section, status: 'enabled', issues: [], config: undefined };
      elements.set(key, info);
    }
    addIssue(info, issue);
  }
  // A provider may drop a broken element without an error of its own only if it reported one; be safe anyway.
  for (const info of elements.values()) if (info.config === undefined) info.status = 'disabled';
  return { elements, issues, get: (section, name) => elements.get(elementKey(section, name)) };
}
