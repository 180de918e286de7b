import { ErrorCodes } from '../../errors/codes.js';
import { formatPath, optional, report, type Field } from '../schema/index.js';

/**
 * A Traefik static key that Berth accepts but does not implement (tracing, other providers, other metrics
 * backends...). Using it is a warning, not an error, so that a user's traefik.yml still starts; its value is
 * ignored, whatever its shape.
 */
export function unsupported(advice?: string): Field<never, 'optional'> {
  return optional<never>({
    kind: 'an option Berth does not support',
    decode(raw, path, ctx) {
      if (raw !== undefined) {
        const hint = advice === undefined ? '' : ` (${advice})`;
        report(ctx, path, ErrorCodes.NOT_SUPPORTED, `"${formatPath(path)}" is not supported by Berth, ignored${hint}`, 'warning');
      }
      return undefined;
    },
  });
}

/** Several unsupported keys at once, for spreading into an `obj` spec. */
export function unsupportedKeys<const K extends string>(keys: readonly K[], advice?: string): Record<K, Field<never, 'optional'>> {
  const out = {} as Record<K, Field<never, 'optional'>>;
  for (const key of keys) out[key] = unsupported(advice);
  return out;
}
