import { Buffer } from 'node:buffer';

/**
 * Percent-encoding helpers with the semantics of Go's `net/url` (which Traefik's routing sees), working on
 * "byte strings": JS strings whose every char code is one byte. Request targets are ASCII (Node refuses raw
 * non-ASCII bytes), so a target is already a byte string; `toByteString` covers strings that are not.
 */

const HEX = /^[0-9a-fA-F]{2}$/;

/** True when every `%` starts a two-digit hex escape (Go's `unescape` fails otherwise and the request gets 400). */
export function hasValidEscapes(value: string): boolean {
  for (let i = value.indexOf('%'); i !== -1; i = value.indexOf('%', i + 3)) {
    if (!HEX.test(value.slice(i + 1, i + 3))) return false;
  }
  return true;
}

/**
 * Decodes `%XX` escapes into bytes, leaving `%XX` that `keep` accepts (upper-case hex) as they are. With `plus`,
 * `+` becomes a space (query components). Assumes `hasValidEscapes`. The result is a byte string.
 */
export function unescapeBytes(value: string, keep?: ReadonlySet<string>, plus = false): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (ch === '+' && plus) {
      out += `${value.slice(last, i)} `;
      last = i + 1;
    } else if (ch === '%') {
      const escape = value.slice(i, i + 3).toUpperCase();
      out += value.slice(last, i) + (keep?.has(escape) ? escape : String.fromCharCode(Number.parseInt(escape.slice(1), 16)));
      i += 2;
      last = i + 1;
    }
  }
  return out + value.slice(last);
}

/** A byte string read as UTF-8 (invalid sequences become U+FFFD, where Go would keep the raw bytes). */
export function fromByteString(bytes: string): string {
  return /[\x80-\xff]/.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}

/** The UTF-8 bytes of a string, as a byte string (identity for ASCII). */
export function toByteString(value: string): string {
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/** Go's `QueryUnescape`: `+` is a space, `%XX` a byte, read as UTF-8; undefined for a malformed escape. */
export function queryUnescape(value: string): string | undefined {
  if (!value.includes('%') && !value.includes('+')) return value;
  if (!hasValidEscapes(value)) return undefined;
  return fromByteString(unescapeBytes(value, undefined, true));
}
