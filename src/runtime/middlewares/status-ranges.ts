import { ErrorCodes } from '../../errors/codes.js';
import { MiddlewareBuildError } from './middleware.js';

/** HTTP status ranges as Traefik writes them: `500`, `500-599` (types.HTTPCodeRanges). */
export class StatusRanges {
  readonly #ranges: ReadonlyArray<readonly [number, number]>;

  constructor(entries: readonly string[], key: string) {
    this.#ranges = entries.map((entry, i) => parseRange(entry, `${key}[${i}]`));
  }

  get size(): number {
    return this.#ranges.length;
  }

  contains(status: number): boolean {
    for (const [low, high] of this.#ranges) if (status >= low && status <= high) return true;
    return false;
  }
}

/** Parses one `500` or `500-599` entry; `key` names it in the error. */
export function parseRange(entry: string, key: string): readonly [number, number] {
  const parts = entry.trim().split('-');
  const numbers = (parts.length === 1 ? [parts[0], parts[0]] : parts).map((part) => (/^\d+$/.test(part?.trim() ?? '') ? Number(part) : NaN));
  const [low, high] = numbers as [number, number];
  if (numbers.length !== 2 || Number.isNaN(low) || Number.isNaN(high)) {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `${key}: "${entry}" is not a status code or range (write 500 or 500-599)`);
  }
  return [low, high];
}
