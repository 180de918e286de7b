import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate } from '../../../src/providers/file/template.js';

const env = { DOMAIN: 'example.test', EMPTY: '' };

test('renders the supported actions', () => {
  const cases: Array<[string, string]> = [
    ['no action at all: {single} braces', 'no action at all: {single} braces'],
    ['rule: Host(`{{ env "DOMAIN" }}`)', 'rule: Host(`example.test`)'],
    ['rule: Host(`{{env `DOMAIN`}}`)', 'rule: Host(`example.test`)'],
    ['a: "{{ env "UNSET" }}"', 'a: ""'],
    ['a: {{ env "UNSET" | default "fallback" }}', 'a: fallback'],
    ['a: {{ env "EMPTY" | default "fallback" }}', 'a: fallback'],
    ['a: {{ env "DOMAIN" | default "fallback" }}', 'a: example.test'],
    ['a: {{ "{{ literal }}" }}', 'a: {{ literal }}'],
    ['a: {{ "tab\\there" }}', 'a: tab\there'],
    ['{{/* a comment with "quotes" and }} inside */}}a: 1', 'a: 1'],
    ['a: 1\n   {{- /* trimmed both sides */ -}}   \nb: 2', 'a: 1b: 2'],
    ['a: [x,   {{- env "DOMAIN" }}]', 'a: [x,example.test]'],
  ];
  for (const [input, expected] of cases) {
    const out = renderTemplate(input, 'dynamic/app.yml', env);
    assert.deepEqual(out.issues, [], input);
    assert.equal(out.text, expected, input);
    assert.equal(out.templated, input.includes('{{'), input);
  }
});

test('anything else is reported with file, line and column, and never executed', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a: 1\nb: {{ .Env.HOME }}', 'dynamic/app.yml:2:4', /"\{\{ \.Env\.HOME \}\}" is not supported/],
    ['x: {{ exec "rm -rf /" }}', 'dynamic/app.yml:1:4', /not supported.*nothing else is ever executed/],
    ['x: {{ env "A" | upper }}', 'dynamic/app.yml:1:4', /not supported/],
    ['x: {{ env }}', 'dynamic/app.yml:1:4', /not supported/],
    ['x: {{ env "A" "B" }}', 'dynamic/app.yml:1:4', /not supported/],
    ['x: {{ }}', 'dynamic/app.yml:1:4', /not supported/],
    ['\n\n  y: {{ env "A"', 'dynamic/app.yml:3:6', /never closed/],
    ['x: {{ "unterminated }}', 'dynamic/app.yml:1:4', /never closed/],
  ];
  for (const [input, where, message] of cases) {
    const out = renderTemplate(input, 'dynamic/app.yml', env);
    assert.equal(out.text, undefined, input);
    assert.equal(out.issues.length, 1, input);
    assert.equal(out.issues[0]?.code, 'BERTH_ERR_NOT_SUPPORTED', input);
    assert.equal(out.issues[0]?.where, where, input);
    assert.match(out.issues[0]?.message ?? '', message, input);
  }
});

test('every unsupported action in a file is reported at once', () => {
  const out = renderTemplate('a: {{ now }}\nb: {{ env "DOMAIN" }}\nc: {{ $x }}', 'f.yml', env);
  assert.deepEqual(out.issues.map((issue) => issue.where), ['f.yml:1:4', 'f.yml:3:4']);
});
