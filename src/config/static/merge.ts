import { formatPath, isRecord, type Path } from '../schema/index.js';

/** One source of static configuration as a plain tree, with a way to name where a path came from. */
export interface ConfigLayer {
  readonly tree: Record<string, unknown>;
  /** `flag --api.insecure`, `environment variable BERTH_LOG_LEVEL`, `berth.yml:3: log.level`. */
  readonly where: (path: Path) => string;
}

export interface MergedLayers {
  readonly tree: Record<string, unknown>;
  /** Names the layer that supplied the value at `path` (or, for a merged section, the strongest layer holding it). */
  readonly where: (path: Path) => string;
}

const SEP = '\u0000';
const id = (segments: readonly string[]): string => segments.join(SEP);

/**
 * Merges layers given weakest first (file, then environment, then flags). Sections merge key by key, keys
 * matching case-insensitively (the first spelling seen is kept); any other value replaces what was below it,
 * lists included. Decoding happens once, on the result, so every problem is reported once, naming its source.
 *
 * Two rules keep the sources from fighting: `true` over a section keeps the section (`--api` beside a file's
 * `api:` block only confirms it is on), and a section over a scalar replaces it (`api: true` in the file, then
 * `--api.insecure`).
 */
export function mergeLayers(layers: readonly ConfigLayer[]): MergedLayers {
  const tree = Object.create(null) as Record<string, unknown>;
  // Which layer set the value at a path (lower-cased segments). Merged sections have no owner; their children do.
  const owners = new Map<string, number>();

  const own = (segments: string[], layer: number): void => {
    const key = id(segments);
    for (const existing of [...owners.keys()]) {
      if (existing === key || existing.startsWith(key + SEP)) owners.delete(existing);
    }
    owners.set(key, layer);
  };

  const mergeInto = (target: Record<string, unknown>, source: Record<string, unknown>, path: string[], layer: number): void => {
    for (const [key, value] of Object.entries(source)) {
      const existing = findKey(target, key);
      const name = existing ?? key;
      const childPath = [...path, name.toLowerCase()];
      const current = existing === undefined ? undefined : target[existing];
      if (isRecord(current) && isRecord(value)) {
        // The section now holds values from two layers: hand its owner down to its children before merging.
        const owner = owners.get(id(childPath));
        if (owner !== undefined) {
          owners.delete(id(childPath));
          for (const child of Object.keys(current)) owners.set(id([...childPath, child.toLowerCase()]), owner);
        }
        mergeInto(current, value, childPath, layer);
      } else if (isRecord(current) && isTrue(value)) {
        continue;
      } else {
        target[name] = clone(value);
        own(childPath, layer);
      }
    }
  };

  layers.forEach((layer, index) => mergeInto(tree, layer.tree, [], index));

  const where = (path: Path): string => {
    const segments = path.map((segment) => String(segment).toLowerCase());
    for (let length = 1; length <= segments.length; length++) {
      const owner = owners.get(id(segments.slice(0, length)));
      if (owner !== undefined) return (layers[owner] as ConfigLayer).where(path);
    }
    // A merged section (or a key missing inside one): the strongest layer that has the deepest existing part.
    const depth = existingDepth(tree, segments);
    for (let index = layers.length - 1; index >= 0; index--) {
      const layer = layers[index] as ConfigLayer;
      if (existingDepth(layer.tree, segments.slice(0, depth)) === depth) return layer.where(path);
    }
    return formatPath(path);
  };
  return { tree, where };
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function findKey(node: Record<string, unknown>, key: string): string | undefined {
  if (Object.hasOwn(node, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(node).find((candidate) => candidate.toLowerCase() === lower);
}

/** How many leading segments of `segments` exist in `tree` (case-insensitively; list items by index). */
function existingDepth(tree: unknown, segments: readonly string[]): number {
  let node = tree;
  let depth = 0;
  for (const segment of segments) {
    if (Array.isArray(node) && /^\d+$/.test(segment) && Number(segment) < node.length) {
      node = node[Number(segment)];
    } else if (isRecord(node)) {
      const key = findKey(node, segment);
      if (key === undefined) break;
      node = node[key];
    } else {
      break;
    }
    depth++;
  }
  return depth;
}

/** A deep copy whose sections have no prototype, so that no key (`__proto__` included) is special. */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (!isRecord(value)) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) out[key] = clone(item);
  return out;
}
