/**
 * The few ASN.1 DER encoders a self-signed certificate needs (ITU-T X.690). Each returns one complete element:
 * tag, length, contents. Nothing here parses; Node's X509Certificate reads what these write.
 */

/** An element with the given tag byte around the contents. */
export function element(tag: number, ...contents: readonly Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const sequence = (...items: readonly Buffer[]): Buffer => element(0x30, ...items);
export const set = (...items: readonly Buffer[]): Buffer => element(0x31, ...items);
export const octetString = (contents: Buffer): Buffer => element(0x04, contents);
export const utf8String = (text: string): Buffer => element(0x0c, Buffer.from(text, 'utf8'));
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
export const booleanTrue = (): Buffer => Buffer.from([0x01, 0x01, 0xff]);
/** [n] EXPLICIT: a constructed context-specific tag around one element. */
export const explicit = (n: number, inner: Buffer): Buffer => element(0xa0 | n, inner);
/** [n] IMPLICIT on a primitive string type, as GeneralName's dNSName ([2] IA5String). */
export const implicitPrimitive = (n: number, contents: Buffer): Buffer => element(0x80 | n, contents);

/** A BIT STRING whose last byte leaves `unusedBits` low bits unused. */
export function bitString(contents: Buffer, unusedBits = 0): Buffer {
  return element(0x03, Buffer.from([unusedBits]), contents);
}

/** A non-negative INTEGER from its big-endian bytes, in the minimal two's-complement form DER requires. */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return element(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const groups = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) groups.unshift(0x80 | (value & 0x7f));
    bytes.push(...groups);
  }
  return element(0x06, Buffer.from(bytes));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always in UTC to the second. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-11-22T10:52:00.469Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z'; // 20261122105200Z
  return date.getUTCFullYear() < 2050
    ? element(0x17, Buffer.from(digits.slice(2), 'latin1'))
    : element(0x18, Buffer.from(digits, 'latin1'));
}
