import { Buffer } from 'node:buffer';

export type GoStringResult = { ok: true; value: string } | { ok: false; message: string; offset: number };

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '\\': 0x5c, '"': 0x22,
};

/**
 * Decodes the body of a Go interpreted string literal (between double quotes), as `strconv.Unquote` does for
 * Traefik: `\n`-style escapes, `\xhh` and `\ooo` bytes, `\uhhhh` and `\Uhhhhhhhh` code points. Go strings are
 * bytes, so `"\xc3\xa9"` is "é"; the bytes are read as UTF-8 at the end. `offset` points at the bad backslash.
 */
export function decodeGoString(body: string): GoStringResult {
  if (!body.includes('\\')) return { ok: true, value: body };
  const bytes: number[] = [];
  let literalStart = 0;
  const flushLiteral = (end: number): void => {
    for (const byte of Buffer.from(body.slice(literalStart, end), 'utf8')) bytes.push(byte);
  };
  for (let i = 0; i < body.length; i++) {
    if (body.charAt(i) !== '\\') continue;
    flushLiteral(i);
    const escape = decodeEscape(body, i);
    if (!escape.ok) return escape;
    for (const byte of escape.bytes) bytes.push(byte);
    i += escape.length - 1;
    literalStart = i + 1;
  }
  flushLiteral(body.length);
  return { ok: true, value: Buffer.from(bytes).toString('utf8') };
}

type EscapeResult = { ok: true; bytes: Iterable<number>; length: number } | { ok: false; message: string; offset: number };

function decodeEscape(body: string, at: number): EscapeResult {
  const letter = body.charAt(at + 1);
  const simple = SIMPLE_ESCAPES[letter];
  if (simple !== undefined) return { ok: true, bytes: [simple], length: 2 };
  const fail = (what: string): EscapeResult => ({ ok: false, offset: at, message: what });
  if (letter >= '0' && letter <= '7') {
    const digits = body.slice(at + 1, at + 4);
    if (!/^[0-7]{3}$/.test(digits)) return fail(`invalid octal escape \\${digits}: Go wants exactly three octal digits`);
    const value = Number.parseInt(digits, 8);
    if (value > 255) return fail(`octal escape \\${digits} is above \\377`);
    return { ok: true, bytes: [value], length: 4 };
  }
  const hexLength = letter === 'x' ? 2 : letter === 'u' ? 4 : letter === 'U' ? 8 : 0;
  if (hexLength === 0) {
    const shown = letter === '' ? '\\' : `\\${letter}`;
    return fail(
      `unknown escape sequence ${shown} in a double-quoted string; inside double quotes a backslash starts a Go escape, ` +
        'so write regular expressions in backticks (`^/api\\.v1`) or double the backslash',
    );
  }
  const digits = body.slice(at + 2, at + 2 + hexLength);
  if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) {
    return fail(`invalid escape \\${letter}${digits}: Go wants exactly ${hexLength} hexadecimal digits`);
  }
  const value = Number.parseInt(digits, 16);
  if (letter === 'x') return { ok: true, bytes: [value], length: 4 };
  if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    return fail(`escape \\${letter}${digits} is not a valid Unicode code point`);
  }
  return { ok: true, bytes: Buffer.from(String.fromCodePoint(value), 'utf8'), length: 2 + hexLength };
}
