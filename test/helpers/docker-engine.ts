import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** The image every test container runs: a static busybox with `httpd`, `sh` and `/www/index.html`. */
export const TEST_IMAGE = 'berth-test/busybox:latest';

/**
 * A private Docker daemon for one test file (ENVIRONMENT.md): its own data root, exec root, pid file, config
 * file and socket under a fresh temporary directory, so several engines can run on the machine at once. No
 * bridge and no iptables: containers use `--network host` and listen on 127.0.0.1.
 */
export interface DockerEngine {
  /** `unix:///tmp/bdk-xxxx/docker.sock`, for `providers.docker.endpoint`. */
  readonly endpoint: string;
  readonly socketPath: string;
  /** Runs the docker CLI against this engine and returns its trimmed standard output. */
  docker(...args: string[]): Promise<string>;
  /**
   * Starts a busybox httpd container on 127.0.0.1:`port` with host networking and returns its id.
   * `healthy: 'file'` adds a health check that passes while /www/index.html exists.
   */
  runHttpd(options: HttpdOptions): Promise<string>;
  /** Stops the daemon (SIGTERM to its pid) and keeps its data, so that `start` brings it back. */
  stop(): Promise<void>;
  /** Starts the daemon again on the same directories and socket. */
  start(): Promise<void>;
  /** Stops the daemon and removes every file it had. */
  close(): Promise<void>;
  /** With `{ tls: true }`: a TLS-verified TCP listener on 127.0.0.1 and the client files to reach it. */
  readonly tls?: { readonly endpoint: string; readonly ca: string; readonly cert: string; readonly key: string };
}

export interface DockerEngineOptions {
  /** Also listen on tcp://127.0.0.1:<free port> with --tlsverify (a throwaway CA signs server and client). */
  readonly tls?: boolean;
}

export interface HttpdOptions {
  readonly name: string;
  readonly port: number;
  readonly labels?: Record<string, string>;
  /** `file`: healthy while /www/index.html exists (remove it with `docker exec` to make it unhealthy). */
  readonly healthCheck?: 'file';
  /** `always`: the daemon restarts the container when it comes back. */
  readonly restart?: 'always';
}

export async function startDockerEngine(options: DockerEngineOptions = {}): Promise<DockerEngine> {
  // Short on purpose: a unix socket path must stay under 108 bytes, containerd's included.
  const dir = await mkdtemp('/tmp/bdk-');
  const socketPath = join(dir, 'docker.sock');
  const endpoint = `unix://${socketPath}`;
  await writeFile(join(dir, 'daemon.json'), '{}\n');
  let child: ChildProcess | undefined;
  const tls = options.tls === true ? await makeCertificates(join(dir, 'tls')) : undefined;

  const args = [
    '--config-file', join(dir, 'daemon.json'),
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '--host', endpoint,
    '--bridge=none', '--iptables=false', '--ip6tables=false',
    // Containers get little time to stop when the daemon does, so restarts in tests stay quick.
    '--shutdown-timeout', '2',
    ...(tls === undefined ? [] : ['--host', tls.endpoint, '--tlsverify', '--tlscacert', tls.ca, '--tlscert', tls.serverCert, '--tlskey', tls.serverKey]),
  ];

  const start = async (): Promise<void> => {
    const log = await open(join(dir, 'dockerd.log'), 'a');
    child = spawn('dockerd', args, { stdio: ['ignore', log.fd, log.fd] });
    await log.close();
    const spawned = child;
    let exited = false;
    spawned.once('exit', () => { exited = true; });
    await waitFor(async () => {
      if (exited) throw new Error(`dockerd exited; see ${join(dir, 'dockerd.log')}`);
      return ping(socketPath);
    }, 30_000, `dockerd on ${socketPath}`).catch(async (err: unknown) => {
      const tail = (await readFile(join(dir, 'dockerd.log'), 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
      throw new Error(`${(err as Error).message}\n${tail}`);
    });
  };

  const stop = async (): Promise<void> => {
    const current = child;
    child = undefined;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill('SIGTERM');
    const timer = setTimeout(() => current.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };

  const docker = async (...cliArgs: string[]): Promise<string> => {
    const { stdout } = await run('docker', ['-H', endpoint, ...cliArgs], { maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  };

  await start();
  try {
    await importBusybox(dir, endpoint);
  } catch (err) {
    await stop();
    await removeDir(dir);
    throw err;
  }

  return {
    endpoint,
    socketPath,
    docker,
    async runHttpd(options) {
      const labels = Object.entries(options.labels ?? {}).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
      const health = options.healthCheck === 'file'
        ? ['--health-cmd', 'test -f /www/index.html', '--health-interval', '1s', '--health-retries', '1', '--health-timeout', '1s']
        : [];
      const restart = options.restart === undefined ? [] : ['--restart', options.restart];
      return docker('run', '-d', '--name', options.name, '--network', 'host', '--init', '--stop-timeout', '1',
        ...restart, ...health, ...labels, TEST_IMAGE, '/bin/busybox', 'httpd', '-f', '-p', `127.0.0.1:${options.port}`, '-h', '/www');
    },
    ...(tls === undefined ? {} : { tls: { endpoint: tls.endpoint, ca: tls.ca, cert: tls.cert, key: tls.key } }),
    stop,
    start,
    async close() {
      await stop();
      await removeDir(dir);
    },
  };
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, with EC keys (fast to make). */
async function makeCertificates(dir: string) {
  await mkdir(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...key, '-keyout', file('ca-key.pem'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=berth-test-ca']);
  const sign = async (name: string, extension: string) => {
    await writeFile(file(`${name}.ext`), `${extension}\n`);
    await run('openssl', ['req', ...key, '-keyout', file(`${name}-key.pem`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`]);
    await run('openssl', ['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-CAcreateserial',
      '-out', file(`${name}-cert.pem`), '-days', '1', '-extfile', file(`${name}.ext`)]);
  };
  await sign('server', 'subjectAltName=IP:127.0.0.1');
  await sign('client', 'extendedKeyUsage=clientAuth');
  return {
    endpoint: `tcp://127.0.0.1:${await freePort()}`,
    ca: file('ca.pem'),
    serverCert: file('server-cert.pem'),
    serverKey: file('server-key.pem'),
    cert: file('client-cert.pem'),
    key: file('client-key.pem'),
  };
}

/** True once the daemon answers `GET /_ping`. */
function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** `docker import` of a root filesystem holding static busybox (no registry is reachable). */
async function importBusybox(dir: string, endpoint: string): Promise<void> {
  const root = join(dir, 'rootfs');
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'www'), { recursive: true });
  await mkdir(join(root, 'tmp'), { recursive: true });
  await copyFile('/bin/busybox', join(root, 'bin', 'busybox'));
  await symlink('busybox', join(root, 'bin', 'sh'));
  await writeFile(join(root, 'www', 'index.html'), 'hi\n');
  await run('sh', ['-c', `tar -C "$1" -c . | docker -H "$2" import - "$3"`, 'import', root, endpoint, TEST_IMAGE]);
}

/** Removes the engine's directory, unmounting what dockerd left mounted (its network namespace files). */
async function removeDir(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = mountinfo.split('\n').map((line) => line.split(' ')[4]).filter((point): point is string => point !== undefined && point.startsWith(`${dir}/`));
  for (const point of mounts.sort((a, b) => b.length - a.length)) {
    await run('umount', ['-l', point]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
