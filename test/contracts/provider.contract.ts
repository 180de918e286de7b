import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig } from '../../src/config/dynamic/model.js';
import type { Provider, ProviderMessage } from '../../src/providers/provider.js';
import { ELEMENT_SECTIONS, readSection } from '../../src/util/dynamic-sections.js';
import { waitFor } from '../helpers/wait-for.js';

/** One provider under test, with its source ready to publish at least one element. */
export interface ProviderContractSubject {
  readonly provider: Provider;
  /**
   * Changes the provider's source by adding one element (a file, a container...) without touching the others,
   * and resolves once the change is made (not once it is published).
   */
  addElement(): Promise<void>;
  /** Removes whatever the subject created. */
  cleanup(): Promise<void>;
}

export interface ProviderContractOptions {
  /** Creates a fresh subject; called once per test. */
  readonly create: () => Promise<ProviderContractSubject>;
  /** How long a change may take to be published (watch latency, debounce, event delivery). */
  readonly publishWithinMs?: number;
  /** How long to watch for an unwanted publication after abort. */
  readonly quietForMs?: number;
}

/** Every `section/name` in a configuration. */
function elementKeys(config: DynamicConfig | undefined): string[] {
  if (config === undefined) return [];
  return ELEMENT_SECTIONS.flatMap((section) => Object.keys(readSection(config, section) ?? {}).map((name) => `${section}/${name}`));
}

// Long-lived handles a provider may open: file watches and sockets. Timers and one-off file requests come and
// go with every wait and every write, so they are not counted.
const LONG_LIVED = new Set(['FSEventWrap', 'StatWatcher', 'TCPWrap', 'TCPSocketWrap', 'PipeWrap', 'UDPWrap', 'TCPServerWrap', 'PipeServerWrap', 'ProcessWrap']);

function openHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => LONG_LIVED.has(kind)).length;
}

async function started(subject: ProviderContractSubject): Promise<{ messages: ProviderMessage[]; controller: AbortController }> {
  const messages: ProviderMessage[] = [];
  const controller = new AbortController();
  await subject.provider.start((message) => messages.push(message), controller.signal);
  return { messages, controller };
}

/**
 * The contract every Provider passes (ARCHITECTURE.md convention 7): the file provider today, the Docker
 * provider and others later. It needs only a way to create a provider over a source and to add an element.
 */
export function providerContract(label: string, options: ProviderContractOptions): void {
  const within = options.publishWithinMs ?? 5000;
  const quietFor = options.quietForMs ?? 500;

  test(`${label}: start() resolves after publishing the full state once, under the provider's name`, { timeout: 30_000 }, async () => {
    const subject = await options.create();
    const { messages, controller } = await started(subject);
    try {
      assert.equal(messages.length, 1, 'exactly one publication by the time start() resolves');
      const first = messages[0] as ProviderMessage;
      assert.equal(first.provider, subject.provider.name);
      assert.ok(first.config !== undefined, `a readable source yields a configuration (issues: ${JSON.stringify(first.issues)})`);
      assert.ok(elementKeys(first.config).length > 0, 'the initial source has at least one element');
      for (const key of elementKeys(first.config)) assert.ok(!key.includes('@'), `names are unqualified: ${key}`);
    } finally {
      controller.abort();
      await subject.cleanup();
    }
  });

  test(`${label}: after a change it publishes the full new state, not a patch`, { timeout: 30_000 }, async () => {
    const subject = await options.create();
    const { messages, controller } = await started(subject);
    try {
      const before = elementKeys(messages[0]?.config);
      await subject.addElement();
      const next = await waitFor(() => messages.find((m, i) => i > 0 && elementKeys(m.config).length > before.length), within, 'a publication with the new element');
      const after = elementKeys(next.config);
      for (const key of before) assert.ok(after.includes(key), `the unchanged element ${key} is still published`);
      assert.equal(next.provider, subject.provider.name);
    } finally {
      controller.abort();
      await subject.cleanup();
    }
  });

  test(`${label}: after abort it publishes nothing more and releases what it opened`, { timeout: 30_000 }, async () => {
    const subject = await options.create();
    const baseline = openHandles();
    const { messages, controller } = await started(subject);
    try {
      controller.abort();
      await waitFor(() => openHandles() <= baseline, within, 'the provider to close its watches and sockets');
      const count = messages.length;
      await subject.addElement();
      // A negative check needs a window; it is the same one a change is given to arrive in, at most.
      const deadline = Date.now() + quietFor;
      await waitFor(() => messages.length !== count || Date.now() > deadline, quietFor + 1000, 'the quiet window');
      assert.equal(messages.length, count, 'no publication after abort');
    } finally {
      controller.abort();
      await subject.cleanup();
    }
  });
}
