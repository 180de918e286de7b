import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import type { ComposeFile } from './compose-override-guard.js';

const run = promisify(execFile);

/** A compose example brought up with its test override against a test engine. */
export interface ComposeProject {
  readonly name: string;
  readonly base: ComposeFile;
  readonly override: ComposeFile;
  /** Runs docker-compose with this project's files and environment; resolves with its output. */
  compose(...args: string[]): Promise<string>;
  /** `down -v`, then removes the temporary files. */
  down(): Promise<void>;
}

/**
 * Prepares `docker-compose -f docker-compose.yml -f docker-compose.test.yml` for the example in `dir`, with
 * `env` (ports, DOCKER_HOST of the test engine...) for variable substitution. Compose 1.29 merges `ports` lists
 * and cannot remove one, and Docker refuses published ports with host networking, so the base file is passed
 * through a copy without `ports` (and `networks`) for the services the override puts on the host network;
 * `--project-directory` keeps its relative paths pointing into the example.
 */
export async function prepareComposeProject(dir: string, env: Readonly<Record<string, string>>): Promise<ComposeProject> {
  const base = parse(await readFile(join(dir, 'docker-compose.yml'), 'utf8')) as ComposeFile;
  const override = parse(await readFile(join(dir, 'docker-compose.test.yml'), 'utf8')) as ComposeFile;
  const stripped = structuredClone(base) as { services?: Record<string, Record<string, unknown>> };
  for (const [name, service] of Object.entries(override.services ?? {})) {
    const target = stripped.services?.[name];
    if (service['network_mode'] !== 'host' || target === undefined) continue;
    delete target['ports'];
    delete target['networks'];
  }
  const work = await mkdtemp(join(tmpdir(), 'berth-compose-'));
  await writeFile(join(work, 'docker-compose.yml'), stringify(stripped, { lineWidth: 0 }));
  // The name docker-compose 1.29 gives the project by default (the folder's, lower-case alphanumerics), so that
  // default rules made from it match the example's README.
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9]/g, '');
  const files = ['--project-directory', dir, '-p', name, '-f', join(work, 'docker-compose.yml'), '-f', join(dir, 'docker-compose.test.yml')];
  const compose = async (...args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await run('docker-compose', [...files, ...args], { env: { ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
      return `${stdout}${stderr}`;
    } catch (err) {
      const { stdout = '', stderr = '', message } = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`docker-compose ${args.join(' ')} failed: ${message}\n${stdout}${stderr}`.slice(0, 6000));
    }
  };
  return {
    name,
    base,
    override,
    compose,
    async down() {
      try {
        await compose('down', '-v', '--timeout', '1');
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The environment docker-compose runs with: the test's, without Docker and Compose settings that would point it
 * elsewhere, plus `extra`.
 */
export function composeEnvironment(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('DOCKER_') && !key.startsWith('COMPOSE_') && !key.startsWith('BERTH_') && !key.startsWith('TRAEFIK_')) env[key] = value;
  }
  return { ...env, ...extra };
}
