/** A parsed media type (Go's mime.ParseMediaType): lower-cased type and parameter names. */
export interface MediaType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses `text/html; charset=utf-8`; undefined when it is not a valid media type. */
export function parseMediaType(value: string): MediaType | undefined {
  const [head = '', ...rest] = value.split(';');
  const type = head.trim().toLowerCase();
  const slash = type.indexOf('/');
  if (slash === -1 ? !TOKEN.test(type) : !TOKEN.test(type.slice(0, slash)) || !TOKEN.test(type.slice(slash + 1))) return undefined;
  const params = new Map<string, string>();
  for (const part of rest) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) return undefined;
    const name = part.slice(0, eq).trim().toLowerCase();
    let raw = part.slice(eq + 1).trim();
    if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) raw = raw.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (!TOKEN.test(raw)) return undefined;
    if (!TOKEN.test(name) || params.has(name)) return undefined;
    params.set(name, raw);
  }
  return { type, params };
}

/** klauspost/gzhttp's rule: same type, and when `pattern` has parameters, exactly the same parameters. */
export function mediaTypeMatches(pattern: MediaType, actual: MediaType): boolean {
  if (pattern.type !== actual.type) return false;
  if (pattern.params.size === 0) return true;
  if (pattern.params.size !== actual.params.size) return false;
  for (const [name, value] of pattern.params) if (actual.params.get(name) !== value) return false;
  return true;
}
