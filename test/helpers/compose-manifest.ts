import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { roundRobinTolerance } from './round-robin.js';

/**
 * `test.json` of a compose example (compose-examples/README.md): which loopback ports the test allocates (passed
 * to docker-compose as environment variables of these names), what else it needs, and the requests that prove
 * the example works.
 */
export interface ExampleManifest {
  /** Environment variables that each receive a free 127.0.0.1 port. */
  readonly ports: readonly string[];
  /** `pebble`: a Pebble ACME server is started and described by PEBBLE_* variables. */
  readonly needs?: readonly 'pebble'[];
  /** Flags (by key prefix, case-insensitive) the override may add or change beyond addresses and ports. */
  readonly testOnlyFlags?: readonly string[];
  /** Labels (by key suffix) the override may add or change beyond `loadbalancer.server.port`. */
  readonly testOnlyLabels?: readonly string[];
  /** Environment variables the override may set on a service. */
  readonly testOnlyEnvironment?: readonly string[];
  /**
   * Services that exist only in the override, each standing in for a replica of a base service: on the host
   * network replicas cannot share a port, so one container per port plays the replicas.
   */
  readonly replicaStandIns?: Readonly<Record<string, string>>;
  /** Seconds each step may take to pass (default 30): steps are retried until the example converges. */
  readonly timeoutSeconds?: number;
  readonly requests: readonly ExampleRequest[];
}

export interface ExampleRequest {
  /** The environment variable holding the port to connect to on 127.0.0.1. */
  readonly port: string;
  readonly scheme?: 'http' | 'https';
  /** Host header and TLS server name. */
  readonly host?: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** `user:password`, sent as Basic authorization. */
  readonly auth?: string;
  /** For https: `pebble` trusts Pebble's issuing root (and nothing else). */
  readonly trust?: 'pebble';
  /** How many times to send it (default 1); `balancedOver` looks at all the answers. */
  readonly repeat?: number;
  readonly expect: ExampleExpectation;
}

export interface ExampleExpectation {
  readonly status: number;
  readonly bodyIncludes?: readonly string[];
  readonly bodyExcludes?: readonly string[];
  /** Response headers (lower-case names) whose value must include the given text. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Response headers that must be absent. */
  readonly headersAbsent?: readonly string[];
  /**
   * The whoami `Name:` of every answer is one of these, each appears, and their counts differ by at most one per
   * Berth worker process: each worker runs its own round robin (one per core by default, the machine's cores).
   */
  readonly balancedOver?: readonly string[];
}

/** Reads and checks an example's manifest; throws with the file name on anything unexpected. */
export async function readManifest(dir: string): Promise<ExampleManifest> {
  const file = join(dir, 'test.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as ExampleManifest;
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  if (!Array.isArray(manifest.ports) || !manifest.ports.every((name) => /^[A-Z][A-Z0-9_]*$/.test(name))) fail('"ports" must list environment variable names');
  if (!Array.isArray(manifest.requests) || manifest.requests.length === 0) fail('"requests" must list at least one request');
  for (const [index, request] of manifest.requests.entries()) {
    if (!manifest.ports.includes(request.port) && !request.port.startsWith('PEBBLE_')) fail(`requests[${index}].port "${request.port}" is not one of "ports"`);
    if (typeof request.expect?.status !== 'number') fail(`requests[${index}].expect.status is missing`);
  }
  return manifest;
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Why `answers` do not meet `expect`, or undefined when they do. */
export function mismatch(expect: ExampleExpectation, answers: readonly Answer[]): string | undefined {
  for (const answer of answers) {
    const context = `(status ${answer.status}, body ${JSON.stringify(answer.body.slice(0, 300))})`;
    if (answer.status !== expect.status) return `expected status ${expect.status} ${context}`;
    for (const text of expect.bodyIncludes ?? []) if (!answer.body.includes(text)) return `the body lacks ${JSON.stringify(text)} ${context}`;
    for (const text of expect.bodyExcludes ?? []) if (answer.body.includes(text)) return `the body has ${JSON.stringify(text)} ${context}`;
    for (const [name, text] of Object.entries(expect.headers ?? {})) {
      const value = answer.headers[name];
      const joined = Array.isArray(value) ? value.join(', ') : value;
      if (joined === undefined || !joined.includes(text)) return `header ${name} is ${JSON.stringify(joined)}, expected it to include ${JSON.stringify(text)}`;
    }
    for (const name of expect.headersAbsent ?? []) if (answer.headers[name] !== undefined) return `header ${name} should be absent, is ${JSON.stringify(answer.headers[name])}`;
  }
  if (expect.balancedOver !== undefined) {
    const counts = new Map<string, number>(expect.balancedOver.map((name) => [name, 0]));
    for (const answer of answers) {
      const name = /^Name: (.*)$/m.exec(answer.body)?.[1] ?? '(no name)';
      if (!counts.has(name)) return `answered by ${name}, expected only ${expect.balancedOver.join(', ')}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const values = [...counts.values()];
    if (Math.min(...values) === 0 || Math.max(...values) - Math.min(...values) > roundRobinTolerance()) return `not balanced: ${JSON.stringify(Object.fromEntries(counts))}`;
  }
  return undefined;
}
