/**
 * The hash behind hrw: 32-bit FNV-1a over UTF-8 bytes, then MurmurHash3's fmix32 finalizer, as a fraction in
 * (0, 1). Deliberately not Traefik's bare 64-bit FNV-1a: names that differ only in their last bytes (URLs of
 * neighbouring servers, `a`/`b`) get nearly equal FNV values there, so the weight alone decides and one server
 * takes every client. The finalizer spreads every input bit over the whole word. Plain numbers, no allocation.
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function hashStart(): number {
  return FNV_OFFSET;
}

/** Continues hash `h` over `bytes`. */
export function hashBytes(h: number, bytes: Uint8Array): number {
  let out = h;
  for (let i = 0; i < bytes.length; i++) out = Math.imul(out ^ (bytes[i] ?? 0), FNV_PRIME);
  return out;
}

/** Continues hash `h` over a string, encoded as UTF-8 (an IP address is ASCII and needs no encoding). */
export function hashText(h: number, text: string): number {
  let out = h;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return hashBytes(out, Buffer.from(text.slice(i), 'utf8'));
    out = Math.imul(out ^ code, FNV_PRIME);
  }
  return out;
}

/** Finalizes `h` into a fraction strictly between 0 and 1. */
export function hashFraction(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return ((x >>> 0) + 0.5) / 0x100000000;
}
