import { randomBytes } from 'node:crypto';

const MAX_HEADER = 14;

/**
 * Follows WebSocket frame boundaries (RFC 6455 section 5.2) in one direction of a relayed connection, so that a
 * close frame can be put between two frames, never inside one. Only headers are read: FIN/opcode byte, the
 * mask bit and the payload length (7, 16 or 64 bits) and the mask key's 4 bytes; payload bytes are counted,
 * never copied or unmasked.
 */
export class FrameBoundaries {
  readonly #header = Buffer.alloc(MAX_HEADER);
  #have = 0;
  #payloadLeft = 0;

  /** A tracker in the same position, to follow the rest of the stream separately. */
  clone(): FrameBoundaries {
    const copy = new FrameBoundaries();
    this.#header.copy(copy.#header);
    copy.#have = this.#have;
    copy.#payloadLeft = this.#payloadLeft;
    return copy;
  }

  /** True between two frames: what was relayed so far ends exactly with a whole frame. */
  get atBoundary(): boolean {
    return this.#have === 0 && this.#payloadLeft === 0;
  }

  /**
   * Reads a chunk relayed in this direction. Returns the offset just past the first frame that ends inside it,
   * or -1 when the frame in progress goes on past the chunk.
   */
  feed(chunk: Uint8Array): number {
    let first = -1;
    let i = 0;
    while (i < chunk.length) {
      if (this.#payloadLeft > 0) {
        const take = Math.min(this.#payloadLeft, chunk.length - i);
        this.#payloadLeft -= take;
        i += take;
        if (this.#payloadLeft === 0 && first === -1) first = i;
        continue;
      }
      this.#header[this.#have++] = chunk[i++] as number;
      const needed = this.#headerLength();
      if (needed === 0 || this.#have < needed) continue;
      this.#payloadLeft = this.#payloadLength();
      this.#have = 0;
      if (this.#payloadLeft === 0 && first === -1) first = i;
    }
    return first;
  }

  /** The full header length once its first two bytes are known (0 before). */
  #headerLength(): number {
    if (this.#have < 2) return 0;
    const second = this.#header[1] as number;
    const len7 = second & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((second & 0x80) !== 0 ? 4 : 0);
  }

  #payloadLength(): number {
    const len7 = (this.#header[1] as number) & 0x7f;
    if (len7 < 126) return len7;
    if (len7 === 126) return this.#header.readUInt16BE(2);
    // Lengths past 2^53 cannot be relayed anyway; Number keeps every real one exact.
    return Number(this.#header.readBigUInt64BE(2));
  }
}

/** Close code 1001 "going away" (RFC 6455 section 7.4.1): the endpoint is shutting down. */
const GOING_AWAY = [0x03, 0xe9];

/** A close frame with code 1001 as a server sends it (unmasked), for the client side of a relayed connection. */
export function goingAwayToClient(): Buffer {
  return Buffer.from([0x88, 0x02, ...GOING_AWAY]);
}

/** A close frame with code 1001 as a client must send it (masked, RFC 6455 section 5.3), for the server side. */
export function goingAwayToServer(): Buffer {
  const mask = randomBytes(4);
  return Buffer.from([0x88, 0x82, ...mask, (GOING_AWAY[0] as number) ^ (mask[0] as number), (GOING_AWAY[1] as number) ^ (mask[1] as number)]);
}
