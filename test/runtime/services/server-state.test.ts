import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerState, ServerStateRegistry } from '../../../src/runtime/services/server-state.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('ServerStateRegistry', () => {
  it('announces each health change once, to listeners until they unsubscribe', () => {
    const registry = new ServerStateRegistry();
    const generation = new AbortController();
    registry.acquire('http://a', generation.signal);
    const heard: string[] = [];
    const off = registry.onChange((url, up) => heard.push(`${url} ${up ? 'UP' : 'DOWN'}`));
    registry.setHealth('http://a', false);
    registry.setHealth('http://a', false);
    registry.setHealth('http://a', true);
    off();
    registry.setHealth('http://a', false);
    assert.deepEqual(heard, ['http://a DOWN', 'http://a UP']);
    assert.deepEqual([...registry.statuses()], [['http://a', 'DOWN']]);
  });

  it('keeps a state while any generation holds it, and forgets it after the last one', () => {
    const registry = new ServerStateRegistry();
    const first = new AbortController();
    const second = new AbortController();
    const state = registry.acquire('http://a', first.signal);
    state.inFlight = 3;
    registry.setHealth('http://a', false);
    assert.equal(registry.acquire('http://a', second.signal), state);
    first.abort();
    assert.equal(registry.get('http://a')?.up, false, 'the reload kept the DOWN status');
    second.abort();
    assert.equal(registry.get('http://a'), undefined);
    const aborted = new AbortController();
    aborted.abort();
    registry.acquire('http://b', aborted.signal);
    assert.equal(registry.get('http://b'), undefined, 'nothing is kept for an aborted generation');
  });

  it('brings a passively failed server back after the window, unless it was marked UP before', async () => {
    const registry = new ServerStateRegistry();
    const generation = new AbortController();
    registry.acquire('http://a', generation.signal);
    registry.markDownFor('http://a', 50);
    assert.equal(registry.get('http://a')?.up, false);
    await waitFor(() => registry.get('http://a')?.up === true, 2000, 'recovery');
    registry.markDownFor('http://a', 60_000);
    registry.setHealth('http://a', true);
    registry.close();
    assert.equal(registry.get('http://a')?.up, true);
  });
});

describe('ServerState', () => {
  it('averages the last 100 times to first byte', () => {
    const state = new ServerState('http://a');
    assert.equal(state.ttfbMs, 0);
    state.recordTtfb(10);
    state.recordTtfb(20);
    assert.equal(state.ttfbMs, 15);
    for (let i = 0; i < 100; i++) state.recordTtfb(5);
    assert.equal(state.ttfbMs, 5);
  });
});
