import type { Socket } from 'node:net';

/** What a TLS ClientHello tells before any certificate is chosen. */
export interface ClientHello {
  /** The SNI host name, as sent (not normalized); undefined when the client sent none. */
  readonly serverName: string | undefined;
  /** ALPN protocols offered, in the client's order; empty when the client sent no ALPN extension. */
  readonly alpnProtocols: readonly string[];
}

export type ClientHelloResult = ClientHello | 'incomplete' | 'not-tls';

const HANDSHAKE_RECORD = 22;
const CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
/** A ClientHello larger than this is not worth waiting for (post-quantum key shares make them ~2 KB). */
const MAX_HELLO = 64 * 1024;

/** Joins the handshake fragments of consecutive handshake records (a ClientHello may span several). */
function handshakeBytes(data: Buffer): { bytes: Buffer; complete: boolean } | 'not-tls' {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= data.length) {
    if (data[offset] !== HANDSHAKE_RECORD) return parts.length === 0 ? 'not-tls' : { bytes: Buffer.concat(parts), complete: true };
    const length = data.readUInt16BE(offset + 3);
    if (offset + 5 + length > data.length) break;
    parts.push(data.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  if (offset === 0 && data.length > 0 && data[0] !== HANDSHAKE_RECORD) return 'not-tls';
  return { bytes: Buffer.concat(parts), complete: offset === data.length };
}

/**
 * Parses the first bytes a TLS client sends, without consuming them. Pure: the caller feeds what it has read
 * so far and reads more on 'incomplete'. Malformed input is 'not-tls'.
 */
export function parseClientHello(data: Buffer): ClientHelloResult {
  if (data.length > MAX_HELLO) return 'not-tls';
  const joined = handshakeBytes(data);
  if (joined === 'not-tls') return 'not-tls';
  const hs = joined.bytes;
  if (hs.length < 4) return 'incomplete';
  if (hs[0] !== CLIENT_HELLO) return 'not-tls';
  const length = hs.readUIntBE(1, 3);
  if (hs.length < 4 + length) return 'incomplete';
  try {
    return readHello(hs.subarray(4, 4 + length));
  } catch {
    return 'not-tls';
  }
}

function readHello(body: Buffer): ClientHello {
  let p = 2 + 32; // client_version, random
  p += 1 + body.readUInt8(p); // session_id
  p += 2 + body.readUInt16BE(p); // cipher_suites
  p += 1 + body.readUInt8(p); // compression_methods
  let serverName: string | undefined;
  const alpnProtocols: string[] = [];
  if (p + 2 > body.length) return { serverName, alpnProtocols };
  const end = p + 2 + body.readUInt16BE(p);
  p += 2;
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p);
    const size = body.readUInt16BE(p + 2);
    const ext = body.subarray(p + 4, p + 4 + size);
    if (ext.length !== size) throw new RangeError('truncated extension');
    if (type === EXT_SERVER_NAME) serverName = readServerName(ext);
    else if (type === EXT_ALPN) {
      for (let q = 2; q < ext.length; q += 1 + (ext[q] ?? 0)) alpnProtocols.push(ext.subarray(q + 1, q + 1 + (ext[q] ?? 0)).toString('latin1'));
    }
    p += 4 + size;
  }
  return { serverName, alpnProtocols };
}

function readServerName(ext: Buffer): string | undefined {
  // server_name_list: entries of (type 0 = host_name, 2-byte length, name).
  for (let q = 2; q + 3 <= ext.length; q += 3 + ext.readUInt16BE(q + 1)) {
    if (ext[q] === 0) return ext.subarray(q + 3, q + 3 + ext.readUInt16BE(q + 1)).toString('latin1');
  }
  return undefined;
}

/**
 * Reads a connection's ClientHello and puts the bytes back, so that a `tls.TLSSocket` created on the socket
 * afterwards sees them (Node feeds a socket's buffered data to the TLS engine). Resolves 'not-tls' for other
 * protocols and undefined when the client closes or stays silent past `timeoutMs`.
 */
export function readClientHello(socket: Socket, timeoutMs: number): Promise<ClientHello | 'not-tls' | undefined> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (result: ClientHello | 'not-tls' | undefined): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.off('close', onGone);
      socket.off('error', onGone);
      socket.pause();
      if (buffered.length > 0) socket.unshift(buffered);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const parsed = parseClientHello(buffered);
      if (parsed !== 'incomplete') finish(parsed);
    };
    const onGone = (): void => finish(undefined);
    const timer = setTimeout(onGone, timeoutMs);
    socket.on('data', onData);
    socket.once('end', onGone);
    socket.once('close', onGone);
    socket.once('error', onGone);
  });
}
