import type { MatcherNode, RuleNode } from './ast.js';

export type Predicate<I> = (input: I) => boolean;

export type PredicateResult<I> = { ok: true; match: Predicate<I> } | { ok: false; message: string };

/**
 * Turns a rule tree into one predicate, given how to build each leaf. Runs of the same operator
 * (`a && b && c`, parsed left-deep) become one flat loop, so matching recurses only as deep as the rule nests.
 * A leaf's failure is prefixed with its column; the first failure wins.
 */
export function compileTree<I>(node: RuleNode, leaf: (matcher: MatcherNode) => PredicateResult<I>): PredicateResult<I> {
  if (node.type === 'matcher') {
    const built = leaf(node);
    if (!built.ok) return { ok: false, message: `column ${node.column}: ${built.message}` };
    if (!node.negated) return built;
    const inner = built.match;
    return { ok: true, match: (input) => !inner(input) };
  }
  const operands: Predicate<I>[] = [];
  for (const operand of flatten(node, node.type)) {
    const built = compileTree(operand, leaf);
    if (!built.ok) return built;
    operands.push(built.match);
  }
  return { ok: true, match: node.type === 'and' ? every(operands) : some(operands) };
}

/** The operands of a run of `op`, left to right, without recursion. */
function flatten(node: RuleNode, op: 'and' | 'or'): RuleNode[] {
  const operands: RuleNode[] = [];
  const stack: RuleNode[] = [node];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.type === op) stack.push(next.right, next.left);
    else operands.push(next);
  }
  return operands;
}

function every<I>(operands: readonly Predicate<I>[]): Predicate<I> {
  const [a, b] = operands;
  if (operands.length === 2 && a !== undefined && b !== undefined) return (input) => a(input) && b(input);
  return (input) => {
    for (const operand of operands) if (!operand(input)) return false;
    return true;
  };
}

function some<I>(operands: readonly Predicate<I>[]): Predicate<I> {
  const [a, b] = operands;
  if (operands.length === 2 && a !== undefined && b !== undefined) return (input) => a(input) || b(input);
  return (input) => {
    for (const operand of operands) if (operand(input)) return true;
    return false;
  };
}
