import type { ServerResponse } from 'node:http';

type GateState = 'pending' | 'passed' | 'diverted';

/**
 * A view of `res` for the main service of a failover with `errors.status`, as Traefik's failover responseWriter:
 * headers stay private until the status is known; a listed status is swallowed (its headers and body are
 * dropped) and `onDivert` runs so the fallback can answer on the real `res`; any other status goes through and
 * from then on every call reaches `res` directly. A JavaScript Proxy keeps it a ServerResponse for the handler,
 * whatever methods it uses; only the failover-with-errors path pays for it.
 */
export function statusGate(res: ServerResponse, divert: (status: number) => boolean, onDivert: () => void): ServerResponse {
  let state: GateState = 'pending';
  const pendingHeaders = new Map<string, { name: string; values: Array<string | number | readonly string[]> }>();

  const open = (status: number, args: readonly unknown[]): boolean => {
    if (divert(status)) {
      state = 'diverted';
      onDivert();
      return false;
    }
    state = 'passed';
    for (const { name, values } of pendingHeaders.values()) for (const value of values) res.appendHeader(name, value as string | readonly string[]);
    (res.writeHead as (...a: unknown[]) => ServerResponse)(status, ...args);
    return true;
  };

  const gate: Record<string | symbol, unknown> = {
    writeHead(status: number, ...args: unknown[]) {
      if (state === 'pending') open(status, args);
      else if (state === 'passed') (res.writeHead as (...a: unknown[]) => ServerResponse)(status, ...args);
      return proxy;
    },
    write(chunk: unknown, ...rest: unknown[]) {
      if (state === 'pending') open(res.statusCode, []);
      if (state === 'passed') return (res.write as (...a: unknown[]) => boolean)(chunk, ...rest);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    },
    end(...args: unknown[]) {
      if (state === 'pending') open(res.statusCode, []);
      if (state === 'passed') (res.end as (...a: unknown[]) => ServerResponse)(...args);
      else (args.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
      return proxy;
    },
    setHeader(name: string, value: string | number | readonly string[]) {
      if (state === 'passed') res.setHeader(name, value);
      else if (state === 'pending') pendingHeaders.set(name.toLowerCase(), { name, values: [value] });
      return proxy;
    },
    appendHeader(name: string, value: string | readonly string[]) {
      if (state === 'passed') res.appendHeader(name, value);
      else if (state === 'pending') {
        const entry = pendingHeaders.get(name.toLowerCase());
        if (entry === undefined) pendingHeaders.set(name.toLowerCase(), { name, values: [value] });
        else entry.values.push(value);
      }
      return proxy;
    },
    getHeaderNames() {
      return state === 'passed' ? res.getHeaderNames() : [...pendingHeaders.keys()];
    },
    removeHeader(name: string) {
      if (state === 'passed') res.removeHeader(name);
      else pendingHeaders.delete(name.toLowerCase());
    },
    addTrailers(headers: Record<string, string>) {
      if (state === 'passed') res.addTrailers(headers);
    },
    destroy(err?: Error) {
      // A diverted main service may fail while its answer is discarded: the fallback owns the connection now.
      if (state !== 'diverted') res.destroy(err);
      return proxy;
    },
  };

  const proxy: ServerResponse = new Proxy(res, {
    get(target, property) {
      if (property === 'headersSent') return state === 'passed' ? target.headersSent : state === 'diverted';
      if (Object.hasOwn(gate, property)) return gate[property];
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, property, value) {
      if (state === 'diverted' && property === 'statusCode') return true;
      return Reflect.set(target, property, value, target);
    },
  });
  return proxy;
}
