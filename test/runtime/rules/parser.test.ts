import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MATCHER_NAMES } from '../../../src/runtime/rules/ast.js';
import { compileHttpRule } from '../../../src/runtime/rules/http-matchers.js';
import { MAX_MATCHERS, MAX_NESTING, parseRule } from '../../../src/runtime/rules/parser.js';
import { compileTcpRule } from '../../../src/runtime/rules/tcp-matchers.js';
import { spellingsOf } from '../../../src/runtime/rules/matcher-names.js';
import { show } from './rule-helpers.js';

const valid: ReadonlyArray<readonly [rule: string, tree: string]> = [
  ['Host(`example.com`)', 'Host(example.com)'],
  ['Host("example.com")', 'Host(example.com)'],
  ['(Host(`a`))', 'Host(a)'],
  ['((((Host(`a`)))))', 'Host(a)'],
  ['  Host(`a`)  ', 'Host(a)'],
  ['Host ( `a` )', 'Host(a)'],
  ['Host(`a`,)', 'Host(a)'],
  ['Host(`a`)&&Path(`/b`)', 'and(Host(a), Path(/b))'],
  ['Host(`a`) || Host(`b`) || Host(`c`)', 'or(or(Host(a), Host(b)), Host(c))'],
  ['Host(`a`) && Path(`/b`) && Method(`GET`)', 'and(and(Host(a), Path(/b)), Method(GET))'],
  // && binds tighter than ||.
  ['Host(`a`) || Host(`b`) && Path(`/c`)', 'or(Host(a), and(Host(b), Path(/c)))'],
  ['Host(`a`) && Path(`/b`) || Host(`c`)', 'or(and(Host(a), Path(/b)), Host(c))'],
  ['(Host(`a`) || Host(`b`)) && Path(`/c`)', 'and(or(Host(a), Host(b)), Path(/c))'],
  ['(Host(`a`) && Path(`/js`)) || ((Host(`b`)) && Path(`/css`))', 'or(and(Host(a), Path(/js)), and(Host(b), Path(/css)))'],
  // ! applies to a matcher or a group and is pushed down with De Morgan.
  ['!Host(`a`)', '!Host(a)'],
  ['!!Host(`a`)', 'Host(a)'],
  ['! Host(`a`)', '!Host(a)'],
  ['!(Host(`a`) && Path(`/b`))', 'or(!Host(a), !Path(/b))'],
  ['!(Host(`a`) || Path(`/b`))', 'and(!Host(a), !Path(/b))'],
  ['!(Host(`a`) && !Path(`/b`))', 'or(!Host(a), Path(/b))'],
  ['!(!(Host(`a`) && PathPrefix(`/b`)))', 'and(Host(a), PathPrefix(/b))'],
  ['!Host(`a`) || !Path(`/b`)', 'or(!Host(a), !Path(/b))'],
  ['!Host(`a`) && PathPrefix(`/b`)', 'and(!Host(a), PathPrefix(/b))'],
  // Arity per matcher.
  ['Header(`X-Forwarded-Proto`, `https`)', 'Header(X-Forwarded-Proto, https)'],
  ['HeaderRegexp(`X-A`, `^b$`)', 'HeaderRegexp(X-A, ^b$)'],
  ['Query(`mobile`)', 'Query(mobile)'],
  ['Query(`q`, `traefik`)', 'Query(q, traefik)'],
  ['QueryRegexp(`q`)', 'QueryRegexp(q)'],
  ['QueryRegexp(`q`, `^t`)', 'QueryRegexp(q, ^t)'],
  ['ClientIP(`10.0.0.0/8`)', 'ClientIP(10.0.0.0/8)'],
  ['HostSNI(`*`) && ALPN(`h2`)', 'and(HostSNI(*), ALPN(h2))'],
  ['HostSNIRegexp(`^a$`)', 'HostSNIRegexp(^a$)'],
  // Backticks are raw (carriage returns dropped, as Go does); double quotes take Go escapes.
  ['PathRegexp(`^/a\\.b$`)', 'PathRegexp(^/a\\.b$)'],
  ['PathRegexp("^/a\\\\.b$")', 'PathRegexp(^/a\\.b$)'],
  ['Header(`X-A`, "say \\"hi\\"")', 'Header(X-A, say "hi")'],
  ['Header(`X-A`, "tab\\there")', 'Header(X-A, tab\there)'],
  ['Path("/caf\\u00e9")', 'Path(/café)'],
  ['Path("/caf\\xc3\\xa9")', 'Path(/café)'],
  ['Path("/caf\\303\\251")', 'Path(/café)'],
  ['Path("/\\U0001F9AD")', 'Path(/🦭)'],
  ['Path(`/a\r\nb`)', 'Path(/a\nb)'],
  ['Path("/a`b")', 'Path(/a`b)'],
  ['Path(`/a"b`)', 'Path(/a"b)'],
  // Line breaks and tabs are whitespace.
  ['Host(`a`) &&\n\tPath(`/b`)', 'and(Host(a), Path(/b))'],
  ['Host(`a`)\n&& Path(`/b`)', 'and(Host(a), Path(/b))'],
];

test('valid rules parse into a tree with ! pushed down to the matchers', () => {
  for (const [rule, tree] of valid) {
    const result = parseRule(rule);
    assert.ok(result.ok, `${rule}: ${result.ok ? '' : result.message}`);
    assert.equal(show(result.ast), tree, rule);
  }
});

test('matcher names are accepted in the four spellings Traefik registers, and only those', () => {
  assert.deepEqual(spellingsOf('PathPrefix'), ['PathPrefix', 'pathprefix', 'PATHPREFIX', 'Pathprefix']);
  assert.deepEqual(spellingsOf('ALPN'), ['ALPN', 'alpn', 'Alpn']);
  for (const name of MATCHER_NAMES) {
    for (const spelling of spellingsOf(name)) {
      const args = name === 'Header' || name === 'HeaderRegexp' ? '`a`, `b`' : '`a`';
      const result = parseRule(`${spelling}(${args})`);
      assert.ok(result.ok, spelling);
      assert.equal(result.ast.type === 'matcher' && result.ast.name, name, spelling);
    }
  }
  for (const spelling of ['pathPrefix', 'PathPREFIX', 'hostSNI', 'HostSni', 'clientIP', 'CLIENTIp']) {
    const result = parseRule(`${spelling}(\`a\`)`);
    assert.equal(result.ok, false, spelling);
  }
  const camel = parseRule('pathPrefix(`/a`)');
  assert.ok(!camel.ok);
  assert.equal(camel.message, "column 1: 'pathPrefix' is not an accepted spelling of PathPrefix; write PathPrefix, pathprefix, PATHPREFIX, Pathprefix");
});

const invalid: ReadonlyArray<readonly [rule: string, column: number, message: RegExp]> = [
  ['', 1, /the rule is empty; expected a matcher such as Host\(`example.com`\)/],
  ['   ', 1, /the rule is empty/],
  ['m', 1, /unknown matcher 'm'/],
  ['rulewithnotmatcher', 1, /unknown matcher 'rulewithnotmatcher'; known matchers: Host, HostRegexp/],
  ['Hots(`a`)', 1, /unknown matcher 'Hots' \(did you mean "Host"\?\)/],
  ['Host(`a`) && PathPrefx(`/b`)', 14, /unknown matcher 'PathPrefx' \(did you mean "PathPrefix"\?\)/],
  ['HostHeader(`a`)', 1, /Traefik v3 renamed it Host/],
  ['Headers(`a`, `b`)', 1, /renamed it Header/],
  ['Host', 5, /expected '\(' after Host, found end of rule/],
  ['Host `a`', 6, /expected '\(' after Host, found string "a"/],
  ['Host(example.com)', 6, /expected an argument in backticks or double quotes, or '\)', found 'example'/],
  ["'Host'", 1, /single quotes do not delimit strings/],
  ['`Host', 1, /unterminated string: missing closing backtick/],
  ["Host('example.com')", 6, /single quotes do not delimit strings in rules; use backticks/],
  ['Host(`a`', 9, /expected '\)' or ',' after argument, found end of rule/],
  ['Host(`a` `b`)', 10, /expected '\)' or ',' after argument, found string "b"/],
  ['Host(`a`,,)', 10, /expected an argument in backticks or double quotes after ',', found ','/],
  ['Host(,)', 6, /expected an argument in backticks or double quotes, or '\)', found ','/],
  ['Host(`a)', 6, /unterminated string: missing closing backtick/],
  ['Host("a)', 6, /unterminated string: missing closing double quote/],
  ['Host("a\nb")', 6, /unterminated string: missing closing double quote/],
  ['Host(`a`) &&', 13, /expected a matcher such as Host\(`example.com`\), '!' or '\(', found end of rule/],
  ['Host(`a`) ||', 13, /expected a matcher/],
  ['&& Host(`a`)', 1, /expected a matcher/],
  ['Host(`a`) && || Path(`/`)', 14, /expected a matcher.*found '\|\|'/],
  ['Host(`a`) & Path(`/`)', 11, /expected '&&', found a single '&'/],
  ['Host(`a`) | Path(`/`)', 11, /expected '\|\|', found a single '\|'/],
  ['Host(`a`) and Path(`/`)', 11, /expected '&&', '\|\|' or end of rule, found 'and'/],
  ['Host(`a`) Path(`/`)', 11, /expected '&&', '\|\|' or end of rule, found 'Path'/],
  ['Host(`a`) == Host(`b`)', 11, /found '='/],
  ['Host(`a`))', 10, /expected '&&', '\|\|' or end of rule, found '\)'/],
  ['(Host(`a`)', 11, /expected '\)' to close the '\(' at column 1, found end of rule/],
  ['((Host(`a`) || Host(`b`)) && Path(`/`)', 39, /close the '\(' at column 1/],
  ['()', 2, /expected a matcher.*found '\)'/],
  ['!', 2, /expected a matcher.*found end of rule/],
  ['Host(`a`) && 42', 14, /found '42'/],
  ['Host(`a`)\u00a0&& Path(`/`)', 10, /found U\+00A0/],
  ['"Host"', 1, /expected a matcher.*found string "Host"/],
  ['Host(`a`)(`b`)', 10, /expected '&&', '\|\|' or end of rule, found '\('/],
  ['Host(Path(`/a`))', 6, /expected an argument.*found 'Path'/],
  // Strict arity, with the v2 multi-value form explained.
  ['Host()', 1, /Host takes exactly one argument, got 0/],
  ['Host(`a`, `b`)', 1, /Host takes exactly one argument, got 2; Traefik v3 takes one value per matcher, so write Host\(`a`\) \|\| Host\(`b`\)/],
  ['Host(`a`) && PathPrefix(`/a`, `/b`, `/c`)', 14, /write PathPrefix\(`\/a`\) \|\| PathPrefix\(`\/b`\) \|\| PathPrefix\(`\/c`\)/],
  ['HostSNI(`a.com`, `b.com`)', 1, /write HostSNI\(`a.com`\) \|\| HostSNI\(`b.com`\)/],
  ['Header(`X-A`)', 1, /Header takes exactly two arguments \(name, value\), got 1/],
  ['Header(`X-A`, `b`, `c`)', 1, /Header takes exactly two arguments \(name, value\), got 3/],
  ['HeaderRegexp(`X-A`)', 1, /HeaderRegexp takes exactly two arguments \(name, regexp\), got 1/],
  ['Query()', 1, /Query takes one or two arguments \(key or key, value\), got 0/],
  ['QueryRegexp(`q`, `a`, `b`)', 1, /QueryRegexp takes one or two arguments/],
  ['ClientIP(`127.0.0.1`, `192.168.1.0/24`)', 1, /write ClientIP\(`127.0.0.1`\) \|\| ClientIP\(`192.168.1.0\/24`\)/],
  // Empty arguments.
  ['Host(``)', 6, /empty argument to Host; give it a value, e.g. Host\(`example.com`\)/],
  ['Header(``, `x`)', 8, /empty argument to Header/],
  ['Header(`X-A`, "")', 15, /empty argument to Header/],
  ['Query(`q`, ``)', 12, /empty argument to Query/],
  // Go escapes inside double quotes.
  ['Path("^/a\\.b")', 10, /unknown escape sequence \\\. in a double-quoted string; .*write regular expressions in backticks/],
  ["Path(\"\\'\")", 7, /unknown escape sequence \\'/],
  ['Path("\\x4")', 7, /invalid escape \\x4"?.*exactly 2 hexadecimal digits/],
  ['Path("\\u12")', 7, /exactly 4 hexadecimal digits/],
  ['Path("\\ud800")', 7, /not a valid Unicode code point/],
  ['Path("\\400")', 7, /above \\377/],
  ['Path("\\12")', 7, /exactly three octal digits/],
];

test('invalid rules fail with the 1-based column and what was expected there', () => {
  for (const [rule, column, message] of invalid) {
    const result = parseRule(rule);
    assert.ok(!result.ok, `${JSON.stringify(rule)} should not parse`);
    assert.equal(result.column, column, `${JSON.stringify(rule)}: ${result.message}`);
    assert.ok(result.message.startsWith(`column ${column}: `), result.message);
    assert.match(result.message, message, JSON.stringify(rule));
  }
});

test('the first problem from the left is reported, lexical or syntactic', () => {
  const result = parseRule('Host(`a`) && && Path("\\q")');
  assert.ok(!result.ok);
  assert.equal(result.column, 14);
});

test('matcher nodes carry the column of their name', () => {
  const result = parseRule('Host(`a`) && !(Path(`/b`) || Method(`GET`))');
  assert.ok(result.ok);
  const columns: number[] = [];
  const walk = (node: typeof result.ast): void => {
    if (node.type === 'matcher') columns.push(node.column);
    else {
      walk(node.left);
      walk(node.right);
    }
  };
  walk(result.ast);
  assert.deepEqual(columns, [1, 16, 30]);
});

test('the tree is plain data', () => {
  const result = parseRule('Host(`a`) && !Query(`q`, `1`)');
  assert.ok(result.ok);
  assert.deepEqual(JSON.parse(JSON.stringify(result.ast)), result.ast);
});

test('absurd nesting and matcher counts are refused instead of exhausting the stack', () => {
  const deep = `${'('.repeat(MAX_NESTING + 1)}Host(\`a\`)${')'.repeat(MAX_NESTING + 1)}`;
  const nested = parseRule(deep);
  assert.ok(!nested.ok);
  assert.match(nested.message, /nests deeper than 64 levels/);
  assert.ok(parseRule(`${'('.repeat(MAX_NESTING)}Host(\`a\`)${')'.repeat(MAX_NESTING)}`).ok);
  assert.ok(!parseRule(`${'!'.repeat(MAX_NESTING + 1)}Host(\`a\`)`).ok);
  const many = Array.from({ length: MAX_MATCHERS + 1 }, (_, i) => `Host(\`h${i}\`)`).join(' || ');
  const tooMany = parseRule(many);
  assert.ok(!tooMany.ok);
  assert.match(tooMany.message, /more than 1000 matchers/);
  assert.ok(parseRule(Array.from({ length: MAX_MATCHERS }, (_, i) => `Host(\`h${i}\`)`).join(' || ')).ok);
});

test('no input makes the parser or the compilers throw', () => {
  const pieces = ['Host', 'Path', 'HostSNI', 'Query', 'Header', 'ClientIP', '(', ')', '!', '&&', '||', '&', ',', '`a`', '`/b`', '`*`',
    '"x\\n"', '"\\q"', '`', '"', "'", ' ', '\n', '1', '::1', '`10.0.0.0/8`', '`(`', 'é', '\u00a0'];
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    const rule = Array.from({ length: 1 + random(12) }, () => pieces[random(pieces.length)]).join('');
    const result = parseRule(rule);
    if (!result.ok) {
      assert.ok(result.column >= 1 && result.column <= rule.length + 1, `${JSON.stringify(rule)}: column ${result.column}`);
      continue;
    }
    compileHttpRule(result.ast);
    compileTcpRule(result.ast, { tls: random(2) === 0 });
  }
});
