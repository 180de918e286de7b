import type { ElementSection } from '../errors/config-issue.js';
import { formatIssue } from '../errors/config-issue.js';
import type { ElementInfo, RuntimeStatus } from '../runtime/status.js';

/** Reads server health for `serverStatus` (UP/DOWN per URL), shared across snapshots. */
export type ServerHealth = (serviceName: string, url: string) => boolean;

export type ApiSection = 'routers' | 'services' | 'middlewares' | 'tcpRouters' | 'tcpServices' | 'tcpMiddlewares' | 'udpRouters' | 'udpServices';

export const API_SECTIONS: Readonly<Record<ApiSection, ElementSection>> = {
  routers: 'http.routers',
  services: 'http.services',
  middlewares: 'http.middlewares',
  tcpRouters: 'tcp.routers',
  tcpServices: 'tcp.services',
  tcpMiddlewares: 'tcp.middlewares',
  udpRouters: 'udp.routers',
  udpServices: 'udp.services',
};

/**
 * One element as Traefik's API shows it: its configuration fields, `name`, `provider`, `status`, `error`
 * (strings) and, by kind, `using`, `usedBy`, `serverStatus`, `type`, `priorityStr`. Berth adds `issues` with
 * each problem's stable code and where it came from.
 */
export function elementView(info: ElementInfo, health: ServerHealth): Record<string, unknown> {
  const config = (info.config ?? {}) as Record<string, unknown>;
  const view: Record<string, unknown> = { ...config };
  if (info.section.endsWith('.routers')) {
    if (typeof config['priority'] === 'number') view['priorityStr'] = String(config['priority']);
    view['using'] = info.using ?? [];
  }
  if (info.section.endsWith('.services') || info.section.endsWith('.middlewares')) {
    const kind = Object.keys(config).find((key) => key !== 'middlewares');
    if (kind !== undefined) view['type'] = kind.toLowerCase();
    view['usedBy'] = info.usedBy ?? [];
  }
  if (info.section === 'http.services') {
    const servers = (config['loadBalancer'] as { servers?: Array<{ url: string }> } | undefined)?.servers;
    if (servers !== undefined && info.status !== 'disabled') {
      view['serverStatus'] = Object.fromEntries(servers.map((server) => [server.url, health(info.name, server.url) ? 'UP' : 'DOWN']));
    }
  }
  view['status'] = info.status;
  if (info.issues.length > 0) {
    view['error'] = info.issues.map((issue) => formatIssue(issue));
    view['issues'] = info.issues;
  }
  view['name'] = info.name;
  view['provider'] = info.provider;
  return view;
}

/** All elements of one section, sorted by name as Traefik's API lists them. */
export function sectionElements(status: RuntimeStatus, section: ElementSection): ElementInfo[] {
  return [...status.elements.values()].filter((info) => info.section === section).sort((a, b) => a.name.localeCompare(b.name));
}

interface Counts {
  total: number;
  warnings: number;
  errors: number;
}

function count(elements: readonly ElementInfo[]): Counts {
  return {
    total: elements.length,
    warnings: elements.filter((e) => e.status === 'warning').length,
    errors: elements.filter((e) => e.status === 'disabled').length,
  };
}

/** `/api/overview`: totals per section, enabled features and providers. */
export function overview(status: RuntimeStatus, features: Record<string, unknown>, providers: readonly string[]): Record<string, unknown> {
  const of = (section: ElementSection) => count(sectionElements(status, section));
  return {
    http: { routers: of('http.routers'), services: of('http.services'), middlewares: of('http.middlewares') },
    tcp: { routers: of('tcp.routers'), services: of('tcp.services'), middlewares: of('tcp.middlewares') },
    udp: { routers: of('udp.routers'), services: of('udp.services') },
    features,
    providers: providers.map((name) => name.charAt(0).toUpperCase() + name.slice(1)),
    issues: status.issues,
  };
}

/** `/api/rawdata`: every element by section, keyed by qualified name, plus issues tied to no element. */
export function rawData(status: RuntimeStatus, health: ServerHealth): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, section] of Object.entries(API_SECTIONS)) {
    const elements = sectionElements(status, section);
    if (elements.length > 0) out[key] = Object.fromEntries(elements.map((info) => [info.name, elementView(info, health)]));
  }
  out['issues'] = status.issues;
  return out;
}
