/**
 * Go's http.DetectContentType (the WHATWG MIME Sniffing algorithm's subset Go implements), which the
 * contentType middleware turns back on in Traefik v3. Only the first 512 bytes are considered.
 */
type Signature = (data: Buffer, firstNonWhitespace: number) => string | undefined;

const isWhitespace = (b: number): boolean => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;

const exact = (pattern: string, type: string): Signature => {
  const bytes = Buffer.from(pattern, 'latin1');
  return (data) => (data.length >= bytes.length && data.subarray(0, bytes.length).equals(bytes) ? type : undefined);
};

const masked = (mask: string, pattern: string, type: string, skipWhitespace = false): Signature => {
  const m = Buffer.from(mask, 'latin1');
  const p = Buffer.from(pattern, 'latin1');
  return (data, ws) => {
    const d = skipWhitespace ? data.subarray(ws) : data;
    if (d.length < p.length) return undefined;
    for (let i = 0; i < p.length; i++) if (((d[i] as number) & (m[i] as number)) !== p[i]) return undefined;
    return type;
  };
};

/** An HTML tag name, case-insensitive, followed by a space or `>`. */
const html = (tag: string): Signature => {
  const t = Buffer.from(tag, 'latin1');
  return (data, ws) => {
    const d = data.subarray(ws);
    if (d.length < t.length + 1) return undefined;
    for (let i = 0; i < t.length; i++) {
      let b = d[i] as number;
      const expected = t[i] as number;
      if (expected >= 0x41 && expected <= 0x5a) b &= 0xdf;
      if (b !== expected) return undefined;
    }
    const next = d[t.length];
    return next === 0x20 || next === 0x3e ? 'text/html; charset=utf-8' : undefined;
  };
};

const mp4: Signature = (data) => {
  if (data.length < 12) return undefined;
  const boxSize = data.readUInt32BE(0);
  if (data.length < boxSize || boxSize % 4 !== 0 || data.toString('latin1', 4, 8) !== 'ftyp') return undefined;
  for (let start = 8; start < boxSize; start += 4) {
    if (start === 12) continue; // the minor version
    if (data.toString('latin1', start, start + 3) === 'mp4') return 'video/mp4';
  }
  return undefined;
};

const text: Signature = (data) => {
  for (const b of data) {
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return undefined;
  }
  return 'text/plain; charset=utf-8';
};

const FF4 = '\xFF\xFF\xFF\xFF';
const SIGNATURES: readonly Signature[] = [
  ...['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'].map(html),
  masked('\xFF\xFF\xFF\xFF\xFF', '<?xml', 'text/xml; charset=utf-8', true),
  exact('%PDF-', 'application/pdf'),
  exact('%!PS-Adobe-', 'application/postscript'),
  masked('\xFF\xFF\x00\x00', '\xFE\xFF\x00\x00', 'text/plain; charset=utf-16be'),
  masked('\xFF\xFF\x00\x00', '\xFF\xFE\x00\x00', 'text/plain; charset=utf-16le'),
  masked('\xFF\xFF\xFF\x00', '\xEF\xBB\xBF\x00', 'text/plain; charset=utf-8'),
  exact('\x00\x00\x01\x00', 'image/x-icon'),
  exact('\x00\x00\x02\x00', 'image/x-icon'),
  exact('BM', 'image/bmp'),
  exact('GIF87a', 'image/gif'),
  exact('GIF89a', 'image/gif'),
  masked(`${FF4}\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF`, 'RIFF\x00\x00\x00\x00WEBPVP', 'image/webp'),
  exact('\x89PNG\x0D\x0A\x1A\x0A', 'image/png'),
  exact('\xFF\xD8\xFF', 'image/jpeg'),
  masked(`${FF4}\x00\x00\x00\x00${FF4}`, 'FORM\x00\x00\x00\x00AIFF', 'audio/aiff'),
  masked('\xFF\xFF\xFF', 'ID3', 'audio/mpeg'),
  masked('\xFF\xFF\xFF\xFF\xFF', 'OggS\x00', 'application/ogg'),
  masked('\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF', 'MThd\x00\x00\x00\x06', 'audio/midi'),
  masked(`${FF4}\x00\x00\x00\x00${FF4}`, 'RIFF\x00\x00\x00\x00AVI ', 'video/avi'),
  masked(`${FF4}\x00\x00\x00\x00${FF4}`, 'RIFF\x00\x00\x00\x00WAVE', 'audio/wave'),
  mp4,
  exact('\x1A\x45\xDF\xA3', 'video/webm'),
  masked(`${'\x00'.repeat(34)}\xFF\xFF`, `${'\x00'.repeat(34)}LP`, 'application/vnd.ms-fontobject'),
  exact('\x00\x01\x00\x00', 'font/ttf'),
  exact('OTTO', 'font/otf'),
  exact('ttcf', 'font/collection'),
  exact('wOFF', 'font/woff'),
  exact('wOF2', 'font/woff2'),
  exact('\x1F\x8B\x08', 'application/x-gzip'),
  exact('PK\x03\x04', 'application/zip'),
  exact('Rar!\x1A\x07\x00', 'application/x-rar-compressed'),
  exact('Rar!\x1A\x07\x01\x00', 'application/x-rar-compressed'),
  exact('\x00\x61\x73\x6D', 'application/wasm'),
  text,
];

/** The media type of content beginning with `data`; `application/octet-stream` when nothing matches. */
export function detectContentType(input: Buffer): string {
  const data = input.subarray(0, 512);
  let ws = 0;
  while (ws < data.length && isWhitespace(data[ws] as number)) ws++;
  for (const signature of SIGNATURES) {
    const type = signature(data, ws);
    if (type !== undefined) return type;
  }
  return 'application/octet-stream';
}
