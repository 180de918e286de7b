// Micro-benchmark for the rule engine and the router muxer (never part of `npm test`).
// Run: npm run build && node dist/bench/micro/rules.js [routers=10000] [requests=1000000]
import { performance } from 'node:perf_hooks';
import { createHttpMux, defaultPriority, type MuxRoute } from '../../src/runtime/mux/http-mux.js';
import { compileHttpRule, type HttpMatchInput } from '../../src/runtime/rules/http-matchers.js';
import { parseRule } from '../../src/runtime/rules/parser.js';
import { requestHost, routingPath, targetQuery } from '../../src/runtime/rules/request-target.js';

const routers = Number(process.argv[2] ?? 10_000);
const requests = Number(process.argv[3] ?? 1_000_000);

function time<T>(label: string, run: () => T): T {
  const start = performance.now();
  const result = run();
  console.log(`${label}: ${(performance.now() - start).toFixed(1)} ms`);
  return result;
}

const routes = time(`parse + compile ${routers} rules`, () => {
  const built: MuxRoute<number>[] = [];
  for (let i = 0; i < routers; i++) {
    const rule = `Host(\`h${i}.test\`) && PathPrefix(\`/x\`)`;
    const parsed = parseRule(rule);
    if (!parsed.ok) throw new Error(parsed.message);
    const compiled = compileHttpRule(parsed.ast);
    if (!compiled.ok) throw new Error(compiled.message);
    built.push({ name: `r${i}`, priority: defaultPriority(rule), ast: parsed.ast, match: compiled.match, payload: i });
  }
  return built;
});
const mux = time('build muxer', () => createHttpMux(routes));

function input(target: string, host: string): HttpMatchInput {
  return { host: requestHost(target, host), method: 'GET', path: routingPath(target) ?? '/', headers: {}, rawQuery: targetQuery(target), clientIp: '127.0.0.1' };
}
const inputs = [input('/x/y', `h${routers >> 1}.test`), input('/x', 'missing.test'), input('/a/./b/%7Ec', 'h1.test:8080')];
for (const sample of inputs) {
  let found = 0;
  const start = performance.now();
  for (let i = 0; i < requests; i++) if (mux.match(sample) !== undefined) found++;
  const ms = performance.now() - start;
  console.log(`match host=${sample.host} path=${sample.path}: ${((requests / ms) * 1000).toFixed(0)} req/s (${found} hits)`);
}
const targets = ['/api/v1/users?id=3', '/a/./b/../c', '/foo%20bar%2Fbaz'];
for (const target of targets) {
  const start = performance.now();
  for (let i = 0; i < requests; i++) routingPath(target);
  console.log(`routingPath ${target}: ${((requests / (performance.now() - start)) * 1000).toFixed(0)} ops/s`);
}
