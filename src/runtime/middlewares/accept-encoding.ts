/** What compress negotiates: an encoding, `identity` (do not encode) or nothing acceptable. */
export type Negotiated = string | 'identity' | 'not-acceptable';

/**
 * Picks the response encoding from Accept-Encoding as Traefik does (RFC 9110 §12.5.3): q=0 excludes, the
 * highest weight wins, ties go to the order of `encodings`, `identity` loses ties, `*` means the default
 * encoding (or the first configured), and an empty header means identity.
 */
export function negotiateEncoding(header: string, encodings: readonly string[], defaultEncoding: string | undefined): Negotiated {
  if (header === '') return 'identity';
  const rank = (type: string): number | undefined => {
    if (type === '*') return -1;
    if (type === 'identity') return encodings.length;
    const index = encodings.indexOf(type);
    return index === -1 ? undefined : index;
  };
  let best: { type: string; weight: number; rank: number } | undefined;
  for (const item of header.replaceAll(' ', '').split(',')) {
    const semicolon = item.indexOf(';');
    const type = semicolon === -1 ? item : item.slice(0, semicolon);
    const typeRank = rank(type);
    if (typeRank === undefined) continue;
    let weight = 1;
    const param = semicolon === -1 ? '' : item.slice(semicolon + 1);
    if (param.startsWith('q=')) {
      weight = Number.parseFloat(param.slice(2));
      if (Number.isNaN(weight)) weight = 0;
      if (weight === 0) continue;
    }
    if (best === undefined || weight > best.weight || (weight === best.weight && typeRank < best.rank)) best = { type, weight, rank: typeRank };
  }
  if (best === undefined) return 'not-acceptable';
  if (best.type === '*') return defaultEncoding || (encodings[0] as string);
  return best.type;
}
