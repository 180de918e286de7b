import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa } from './certs.js';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

/** A running Pebble (Let's Encrypt's test CA) and pebble-challtestsrv (its DNS), on loopback ports. */
export interface Pebble {
  /** `https://127.0.0.1:<port>/dir` */
  readonly directory: string;
  /** PEM of the certificate Pebble's own listener uses (trust it as `caCertificates`). */
  readonly listenerCaPem: string;
  /** Where Pebble validates HTTP-01 and TLS-ALPN-01 (serve the challenges there). */
  readonly httpPort: number;
  readonly tlsPort: number;
  /** challtestsrv's DNS server (`127.0.0.1:<port>`), for DNS-01 propagation checks. */
  readonly dnsServer: string;
  /** An external account binding Pebble accepts (it verifies EAB when given, without requiring it). */
  readonly eab: { readonly kid: string; readonly hmacEncoded: string };
  /** challtestsrv's management API base URL. */
  readonly challtestsrv: string;
  /** Pebble's root for issued certificates (GET /roots/0 on its management port). */
  issuerRoot(): Promise<string>;
  /** Everything Pebble and challtestsrv printed so far (each ACME request is a line, e.g. `POST /order-plz`). */
  log(): string;
  close(): Promise<void>;
}

function get(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

/** POSTs JSON to challtestsrv's management API (`/set-txt`, `/clear-txt`...). */
export function challtestsrvPost(base: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, log: string[]): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  return child;
}

export interface PebbleOptions {
  /** Lifetime of issued certificates in seconds (Pebble's default is five years). */
  readonly certificateValidityPeriod?: number;
  /** Names Pebble refuses to order (rejectedIdentifier), to see how a client handles a refusing CA. */
  readonly domainBlocklist?: readonly string[];
}

/**
 * Starts pebble-challtestsrv and Pebble on free loopback ports, Pebble with a freshly made listener
 * certificate, no validation sleep, no random nonce rejection and no authorization reuse (so every order
 * really validates). Every name resolves to 127.0.0.1 through challtestsrv.
 */
export async function startPebble(options: PebbleOptions = {}): Promise<Pebble> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-pebble-'));
  const [listen, management, httpPort, tlsPort, dnsPort, challMgmt] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const ca = await createTestCa('Pebble listener CA');
  const eab = { kid: 'berth-kid-1', hmacEncoded: randomBytes(32).toString('base64url') };
  const listener = await ca.issue(['localhost', '127.0.0.1']);
  await writeFile(join(dir, 'cert.pem'), listener.certPem + ca.certPem);
  await writeFile(join(dir, 'key.pem'), listener.keyPem);
  await writeFile(join(dir, 'pebble.json'), JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${listen}`, managementListenAddress: `127.0.0.1:${management}`,
      certificate: join(dir, 'cert.pem'), privateKey: join(dir, 'key.pem'),
      httpPort, tlsPort, ocspResponderURL: '', externalAccountBindingRequired: false,
      externalAccountMACKeys: { [eab.kid]: eab.hmacEncoded },
      ...(options.certificateValidityPeriod === undefined ? {} : { certificateValidityPeriod: options.certificateValidityPeriod }),
      ...(options.domainBlocklist === undefined ? {} : { domainBlocklist: options.domainBlocklist }),
    },
  }));
  const log: string[] = [];
  const challtest = run('pebble-challtestsrv', ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`,
    '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${challMgmt}`], {}, log);
  const pebble = run('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`, '-strict=false'],
    { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' }, log);
  const agent = new Agent({ ca: ca.certPem });
  const directory = `https://127.0.0.1:${listen}/dir`;
  const close = async (): Promise<void> => {
    agent.destroy();
    for (const child of [pebble, challtest]) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await get(directory, agent)).status === 200, 15_000, `Pebble at ${directory} (log: ${log.join('').slice(-500)})`);
    await waitFor(async () => (await challtestsrvPost(`http://127.0.0.1:${challMgmt}`, '/clear-txt', { host: 'ready.test.' })) === 200, 15_000, 'pebble-challtestsrv');
  } catch (err) {
    await close();
    throw err;
  }
  return {
    directory,
    listenerCaPem: ca.certPem,
    httpPort,
    tlsPort,
    dnsServer: `127.0.0.1:${dnsPort}`,
    eab,
    challtestsrv: `http://127.0.0.1:${challMgmt}`,
    issuerRoot: async () => (await get(`https://127.0.0.1:${management}/roots/0`, agent)).body,
    log: () => log.join(''),
    close,
  };
}
