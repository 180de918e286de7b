import type { Path } from '../config/schema/index.js';
import { ELEMENT_SECTIONS, readSection } from '../util/dynamic-sections.js';
import type { ElementOrigins } from './provider.js';

/**
 * Records where each element of a decoded configuration was written, using the `where` function of its source
 * (a YAML file or a container's labels): the element itself under '' and each top-level field by name. Elements
 * already present in `into` are left alone, so the first definition wins as it does in the configuration.
 */
export function collectOrigins(config: object, where: (path: Path) => string, into: Record<string, Record<string, string>> = {}): Record<string, Record<string, string>> {
  for (const section of ELEMENT_SECTIONS) {
    const path = section.split('.');
    for (const [name, element] of Object.entries(readSection(config, section) ?? {})) {
      const key = `${section}/${name}`;
      if (into[key] !== undefined) continue;
      const fields: Record<string, string> = { '': where([...path, name]) };
      for (const field of Object.keys(element as object)) fields[field] = where([...path, name, field]);
      into[key] = fields;
    }
  }
  return into;
}

export type { ElementOrigins };
