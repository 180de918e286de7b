import assert from 'node:assert/strict';
import type { RuleNode } from '../../../src/runtime/rules/ast.js';
import { compileHttpRule, type HttpMatchInput, type HttpMatcher } from '../../../src/runtime/rules/http-matchers.js';
import { parseRule } from '../../../src/runtime/rules/parser.js';
import { requestHost, routingPath, targetQuery } from '../../../src/runtime/rules/request-target.js';

/** A compact, unambiguous rendering of a rule tree: `and(Host(a), !Path(/b))`. */
export function show(node: RuleNode): string {
  if (node.type === 'matcher') return `${node.negated ? '!' : ''}${node.name}(${node.args.join(', ')})`;
  return `${node.type}(${show(node.left)}, ${show(node.right)})`;
}

/** Parses a rule that must be valid. */
export function parsed(rule: string): RuleNode {
  const result = parseRule(rule);
  assert.ok(result.ok, `parsing ${rule}: ${result.ok ? '' : result.message}`);
  return result.ast;
}

/** Parses and compiles an HTTP rule that must be valid. */
export function compiledHttp(rule: string): HttpMatcher {
  const result = compileHttpRule(parsed(rule));
  assert.ok(result.ok, `${rule}: ${result.ok ? '' : result.message}`);
  return result.match;
}

export interface RequestSpec {
  method?: string;
  /** Header lines, in order; repeated names allowed. */
  headers?: ReadonlyArray<readonly [string, string]>;
  clientIp?: string;
}

/**
 * The match input the entrypoint would build for `target` (origin-form or absolute-form), with Node's view of
 * the headers: `headers` with repeated lines joined and `rawHeaders` line by line.
 */
export function request(target: string, spec: RequestSpec = {}): HttpMatchInput {
  const rawHeaders: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of spec.headers ?? []) {
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  const path = routingPath(target);
  assert.ok(path !== undefined, `no routing path for ${target}`);
  return {
    host: requestHost(target, headers['host']),
    method: spec.method ?? 'GET',
    path,
    headers,
    rawHeaders,
    rawQuery: targetQuery(target),
    clientIp: spec.clientIp ?? '127.0.0.1',
  };
}
