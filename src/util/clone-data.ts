/**
 * Deep copy of plain data (what YAML, labels and JSON produce). Unlike structuredClone, an object without a
 * prototype stays without one: the configuration's user-named maps (routers, header names) are created that
 * way so that a name such as `constructor` or `__proto__` can never resolve to something on Object.prototype.
 */
export function cloneData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneData(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(Object.getPrototypeOf(value) === null ? null : Object.prototype) as Record<string, unknown>;
  for (const [key, member] of Object.entries(value)) {
    // defineProperty, not assignment: a `__proto__` key must stay an ordinary member.
    Object.defineProperty(out, key, { value: cloneData(member), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}
