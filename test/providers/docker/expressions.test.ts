import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileConstraints } from '../../../src/providers/docker/constraints.js';
import { compileRuleTemplate } from '../../../src/providers/docker/default-rule.js';
import { normalizeName } from '../../../src/providers/docker/names.js';

const labels = { hello: 'world', foo: 'bar', path: 'C:\\data' };

test('constraints: truth table of Label, LabelRegex and the operators', () => {
  const rows: Array<[string, boolean]> = [
    ['', true],
    ['Label(`hello`, `world`)', true],
    ['Label("hello", "worlds")', false],
    ['Label(`hi`, `world`)', false],
    ['!Label(`hello`, `world`)', false],
    ['Label(`hello`, `world`) && Label(`foo`, `bar`)', true],
    ['Label(`hello`, `world`) && !Label(`foo`, `bar`)', false],
    ['Label(`hello`, `nope`) || Label(`foo`, `bar`)', true],
    ['!(Label(`hello`, `nope`) || Label(`foo`, `baz`))', true],
    ['Label(`a`, `1`) || Label(`hello`, `world`) && Label(`foo`, `x`)', false],
    ['(Label(`a`, `1`) || Label(`hello`, `world`)) && Label(`foo`, `bar`)', true],
    ['LabelRegex(`hello`, `w\\w+`)', true],
    ['LabelRegex("hello", "w\\\\w+s")', false],
    ['LabelRegex(`missing`, `^$`)', true],
    ['Label("path", "C:\\\\data")', true],
    ['!!Label(`foo`, `bar`)', true],
  ];
  for (const [expression, expected] of rows) {
    const result = compileConstraints(expression);
    assert.ok(result.ok, `${expression}: ${result.ok ? '' : result.message}`);
    assert.equal(result.match(labels), expected, expression);
  }
});

test('constraints: errors say what and where', () => {
  const rows: Array<[string, RegExp]> = [
    ['Label(`hello`)', /Label takes 2 arguments/],
    ['Foo(`a`, `b`)', /unknown function "Foo"/],
    ['label(`a`, `b`)', /unknown function "label".*did you mean "Label"/],
    ['Label(`a`, `b`', /expected "," or "\)" at column 15/],
    ['Label(`a`, `b`) Label(`c`, `d`)', /unexpected "Label" at column 17/],
    ['Label(`a`, `b`) | Label(`c`, `d`)', /use "\|\|"/],
    ['Label(`a`, b)', /expected a quoted string at column 12/],
    ['Label("a\\q", "b")', /unknown escape/],
    ['Label(`a, `b`)', /./],
    ['LabelRegex(`a`, `(`)', /invalid regular expression/],
    ['&&', /expected Label\(\.\.\.\) or LabelRegex\(\.\.\.\) at column 1/],
  ];
  for (const [expression, pattern] of rows) {
    const result = compileConstraints(expression);
    assert.equal(result.ok, false, expression);
    if (!result.ok) assert.match(result.message, pattern, expression);
  }
});

const model = { Name: 'whoami-demo', ContainerName: 'demo_whoami.1', Labels: { 'com.example.domain': 'example.test' } };

test('default rule: the supported Go template subset', () => {
  const rows: Array<[string, string]> = [
    ['Host(`{{ normalize .Name }}`)', 'Host(`whoami-demo`)'],
    ['Host(`{{ .Name }}.example.test`)', 'Host(`whoami-demo.example.test`)'],
    ['Host(`{{.ContainerName}}`)', 'Host(`demo_whoami.1`)'],
    ['Host(`{{ normalize .ContainerName }}`)', 'Host(`demo-whoami-1`)'],
    ['Host(`{{ .ContainerName | normalize }}`)', 'Host(`demo-whoami-1`)'],
    ['Host(`{{ normalize (index .Labels "com.example.domain") }}`)', 'Host(`example-test`)'],
    ['Host(`{{ .Name }}.{{ index .Labels `com.example.domain` }}`)', 'Host(`whoami-demo.example.test`)'],
    ['Host(`{{ index .Labels "missing" }}`)', 'Host(``)'],
    ['Host(`a`) || Host(`b`)', 'Host(`a`) || Host(`b`)'],
    ['Host(`  {{- .Name -}}  `)', 'Host(`whoami-demo`)'],
    ['{{ "literal" }}', 'literal'],
  ];
  for (const [source, expected] of rows) {
    const result = compileRuleTemplate(source);
    assert.ok(result.ok, `${source}: ${result.ok ? '' : result.message}`);
    assert.equal(result.render(model), expected, source);
  }
});

test('default rule: everything else is refused with the supported forms listed', () => {
  const rows: Array<[string, RegExp]> = [
    ['Host(`{{ .Toto }}`)', /unknown field "\.Toto"/],
    ['Host(`{{ .name }}`)', /unknown field "\.name".*did you mean "Name"/],
    ['Host(`{{ lower .Name }}`)', /"lower".*not supported/],
    ['{{ if .Name }}x{{ end }}', /"if".*not supported/],
    ['{{ $x := .Name }}', /unexpected "\$x"/],
    ['Host(`{{ .Labels }}`)', /whole label map/],
    ['Host(`{{ index .Labels }}`)', /index takes \.Labels and a quoted label name/],
    ['Host(`{{ normalize }}`)', /normalize takes one text argument/],
    ['Host(`{{ .Name `)', /unclosed action/],
    ['Host(`{{ }}`)', /empty action/],
    ['Host(`{{ .Name | }}`)', /./],
  ];
  for (const [source, pattern] of rows) {
    const result = compileRuleTemplate(source);
    assert.equal(result.ok, false, source);
    if (!result.ok) {
      assert.match(result.message, pattern, source);
      assert.match(result.message, /Berth supports/);
    }
  }
});

test('normalize matches Traefik: runs of non-letters/digits become one dash, none at the ends', () => {
  assert.equal(normalizeName('/my_app..1'), 'my-app-1');
  assert.equal(normalizeName('Ünïcode_名前'), 'Ünïcode-名前');
  assert.equal(normalizeName('---'), '');
});
