import { ErrorCodes } from '../../errors/codes.js';
import { compileRegex, type SafeRegex } from '../../util/safe-regex.js';
import { MiddlewareBuildError } from './middleware.js';

/** Compiles a regex option with the linear-time engine; a bad pattern is a build error naming the option. */
export function compileRegexOption(key: string, pattern: string): SafeRegex {
  const result = compileRegex(pattern);
  if (!result.ok) throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `${key}: ${result.message}`);
  return result.regex;
}
