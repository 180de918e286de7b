import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { defaultGeneratedCertNeed, domainsToCertify } from '../../src/acme/domains.js';
import { needsRenewal, renewalTiming, runRenewalSchedule } from '../../src/acme/renewal.js';

const DAY = 86_400_000;

test('Host() values make one certificate per router, lower-cased, first = main', () => {
  const sets = domainsToCertify([
    { name: 'a@docker', certResolver: 'le', hosts: ['App.Example.com', 'www.example.com', 'app.example.com'] },
    { name: 'b@docker', certResolver: 'other', hosts: ['b.example.com'] },
    { name: 'c@docker', certResolver: undefined, hosts: ['c.example.com'] },
  ], () => false);
  assert.deepEqual([...sets.entries()], [['le', [['app.example.com', 'www.example.com']]], ['other', [['b.example.com']]]]);
});

test('tls.domains win over Host(): one certificate per entry, names a wildcard covers removed', () => {
  const sets = domainsToCertify([{
    name: 'w@file', certResolver: 'le', hosts: ['ignored.example.com'],
    domains: [{ main: '*.example.com', sans: ['example.com', 'a.example.com', 'example.com'] }, { main: 'b.example.com' }, { main: 'x.other.com' }],
  }], () => false);
  assert.deepEqual(sets.get('le'), [['*.example.com', 'example.com'], ['x.other.com']]);
});

test('sets whose names are all covered are skipped; partly covered sets are ordered whole; duplicates once', () => {
  const covered = (name: string): boolean => name.endsWith('.files.test');
  const sets = domainsToCertify([
    { name: 'a', certResolver: 'le', hosts: ['a.files.test', 'b.files.test'] },
    { name: 'b', certResolver: 'le', hosts: ['a.files.test', 'new.test'] },
    { name: 'c', certResolver: 'le', hosts: ['a.files.test', 'new.test'] },
  ], covered);
  assert.deepEqual(sets.get('le'), [['a.files.test', 'new.test']]);
});

test('Traefik\'s renewal table', () => {
  const rows: Array<[number, number, number]> = [
    [8760, 120 * DAY, 7 * DAY], [2160, 30 * DAY, DAY], [720, 10 * DAY, DAY / 2], [144, 2 * DAY, DAY / 12], [24, DAY / 4, 600_000], [1, 1_200_000, 60_000],
  ];
  for (const [hours, renewBeforeMs, checkEveryMs] of rows) assert.deepEqual(renewalTiming(hours), { renewBeforeMs, checkEveryMs }, `${hours} h`);
  const timing = renewalTiming(2160);
  const now = Date.now();
  assert.equal(needsRenewal(new Date(now + 31 * DAY), now, timing), false);
  assert.equal(needsRenewal(new Date(now + 29 * DAY), now, timing), true);
  assert.equal(needsRenewal(undefined, now, timing), true, 'an unreadable certificate is renewed');
});

test('the schedule checks at start and then every period', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const controller = new AbortController();
    let checks = 0;
    const done = runRenewalSchedule(renewalTiming(2160), () => { checks++; }, controller.signal);
    await Promise.resolve();
    assert.equal(checks, 1);
    for (let day = 1; day <= 3; day++) {
      mock.timers.tick(DAY);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(checks, 1 + day);
    }
    controller.abort();
    await done;
  } finally {
    mock.timers.reset();
  }
});

test('defaultGeneratedCert becomes a need for its resolver', () => {
  const need = defaultGeneratedCertNeed({ stores: { default: { defaultGeneratedCert: { resolver: 'le', domain: { main: 'example.com', sans: ['www.example.com'] } } } } });
  assert.deepEqual(domainsToCertify(need === undefined ? [] : [need], () => false).get('le'), [['example.com', 'www.example.com']]);
  assert.equal(defaultGeneratedCertNeed({ stores: { default: {} } }), undefined);
});
