import { request as httpRequest } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { WebSocket, type ClientOptions } from 'ws';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The server certificate's subject CN (TLS only). */
  subject?: string;
  alpn?: string | false | null;
}

export interface TlsClientOptions {
  readonly servername?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ALPNProtocols?: string[];
}

const tlsBits = (options: TlsClientOptions) => ({
  ...(options.servername === undefined ? {} : { servername: options.servername }),
  ...(options.ca === undefined ? { rejectUnauthorized: false } : { ca: options.ca }),
  ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
  ...(options.ALPNProtocols === undefined ? {} : { ALPNProtocols: options.ALPNProtocols }),
});

/** One HTTP/1.1 request on a new connection, plain or TLS. */
export function request1(port: number, options: TlsClientOptions & { tls?: boolean; host?: string; path?: string; method?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const send = options.tls === true ? httpsRequest : httpRequest;
    const req = send({
      host: '127.0.0.1', port, path: options.path ?? '/', method: options.method ?? 'GET', agent: false,
      headers: options.host === undefined ? {} : { host: options.host },
      ...(options.tls === true ? tlsBits(options) : {}),
    }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => {
        const socket = res.socket as unknown as { getPeerCertificate?: () => PeerCertificate; alpnProtocol?: string | false };
        const subject = socket.getPeerCertificate?.()?.subject?.CN;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ...(subject === undefined ? {} : { subject: String(subject) }), alpn: socket.alpnProtocol ?? null });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An HTTP/2 session over TLS (h2 offered by ALPN). */
export function h2Session(port: number, options: TlsClientOptions = {}): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://127.0.0.1:${port}`, tlsBits(options));
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** One request on an HTTP/2 session. */
export function h2Request(session: ClientHttp2Session, options: { path?: string; authority?: string; method?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':path': options.path ?? '/', ':method': options.method ?? 'GET',
      ...(options.authority === undefined ? {} : { ':authority': options.authority }),
    });
    let headers: Reply['headers'] = {};
    let body = '';
    stream.on('response', (h) => { headers = h as Reply['headers']; });
    stream.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body }));
    stream.on('error', reject);
    stream.end(options.body);
  });
}

/**
 * A raw TLS handshake: what the server presented and negotiated, and whatever it sends after `send` (the
 * connection is closed by the server or after `settleMs`). `error` is set when the handshake failed.
 */
export interface HandshakeResult {
  /** The handshake completed (and, with `ca`, the server certificate verified). */
  ok: boolean;
  subject?: string;
  /** SHA-256 fingerprint of the server certificate. */
  fingerprint?: string;
  alpn?: string | false | null;
  data: string;
  error?: string;
}

export function handshake(port: number, options: TlsClientOptions & { send?: string; settleMs?: number } = {}): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', ...tlsBits(options) });
    const result: HandshakeResult = { ok: false, data: '' };
    let timer: NodeJS.Timeout | undefined;
    socket.on('secureConnect', () => {
      result.ok = true;
      const peer = socket.getPeerCertificate();
      result.subject = String(peer?.subject?.CN ?? '');
      result.fingerprint = peer?.fingerprint256;
      result.alpn = socket.alpnProtocol;
      if (options.send !== undefined) socket.write(options.send);
      timer = setTimeout(() => socket.end(), options.settleMs ?? 300);
    });
    socket.on('data', (chunk: Buffer) => { result.data += chunk.toString(); });
    socket.on('error', (err) => { result.error = err.message; });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}

/** Opens `wss://127.0.0.1:<port><path>` for `host` (SNI and Host header), sends `message` and resolves the first reply. */
export async function wssRoundTrip(port: number, path: string, host: string, ca: string, message: string): Promise<string> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}${path}`, { servername: host, ca, headers: { host } } as ClientOptions);
  try {
    return await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send(message));
      ws.on('message', (data) => resolve(String(data)));
      ws.on('error', reject);
    });
  } finally {
    ws.close();
  }
}
