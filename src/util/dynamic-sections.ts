import type { ElementSection } from '../errors/config-issue.js';

/**
 * The sections of dynamic configuration that hold named elements, in the order Traefik documents them.
 * Providers and the watcher walk these when they merge configurations or qualify names.
 */
export const ELEMENT_SECTIONS: readonly ElementSection[] = [
  'http.routers',
  'http.services',
  'http.middlewares',
  'http.serversTransports',
  'tcp.routers',
  'tcp.services',
  'tcp.middlewares',
  'tcp.serversTransports',
  'udp.routers',
  'udp.services',
];

/** How an element of a section is named in messages ("HTTP router", "TCP servers transport"). */
export function describeSection(section: ElementSection): string {
  const [protocol, kind] = section.split('.') as [string, string];
  const words: Readonly<Record<string, string>> = {
    routers: 'router',
    services: 'service',
    middlewares: 'middleware',
    serversTransports: 'servers transport',
  };
  return `${protocol.toUpperCase()} ${words[kind] ?? kind}`;
}

type Sections = Record<string, Record<string, unknown> | undefined>;

/** The named elements of `section` in a configuration, or undefined when the section is absent. */
export function readSection(config: object, section: ElementSection): Record<string, unknown> | undefined {
  const [protocol, kind] = section.split('.') as [string, string];
  return ((config as Record<string, Sections | undefined>)[protocol])?.[kind];
}

/** The named elements of `section`, created empty (without a prototype) when absent. */
export function ensureSection(config: object, section: ElementSection): Record<string, unknown> {
  const [protocol, kind] = section.split('.') as [string, string];
  const root = config as Record<string, Sections | undefined>;
  const group = (root[protocol] ??= {});
  return (group[kind] ??= Object.create(null) as Record<string, unknown>);
}
