import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createThrottle } from '../../src/watcher/throttle.js';

// Time is the subject here, so the clock is faked (ARCHITECTURE.md convention 8).

test('forwards at once when idle, then at most one value per delay, latest wins', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const out: string[] = [];
  const throttle = createThrottle<string>(2000, (value) => out.push(value));

  throttle.push('a');
  assert.deepEqual(out, ['a']);
  throttle.push('b');
  throttle.push('c');
  mock.timers.tick(1999);
  assert.deepEqual(out, ['a']);
  mock.timers.tick(1);
  assert.deepEqual(out, ['a', 'c'], 'b was overwritten by c');
  throttle.push('d');
  mock.timers.tick(1999);
  assert.deepEqual(out, ['a', 'c']);
  mock.timers.tick(1);
  assert.deepEqual(out, ['a', 'c', 'd']);
  // The delay after "d" passes with nothing pending: the forwarder is idle again and the next value goes at once.
  mock.timers.tick(2000);
  throttle.push('e');
  assert.deepEqual(out, ['a', 'c', 'd', 'e']);
});

test('a zero delay passes every value straight through', () => {
  const out: number[] = [];
  const throttle = createThrottle<number>(0, (value) => out.push(value));
  for (let i = 0; i < 5; i++) throttle.push(i);
  assert.deepEqual(out, [0, 1, 2, 3, 4]);
});

test('close drops the pending value and forwards nothing more', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const out: string[] = [];
  const throttle = createThrottle<string>(100, (value) => out.push(value));
  throttle.push('a');
  throttle.push('b');
  throttle.close();
  mock.timers.tick(1000);
  throttle.push('c');
  assert.deepEqual(out, ['a']);
});
