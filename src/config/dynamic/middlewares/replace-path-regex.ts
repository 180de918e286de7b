import { obj, str, type Infer } from '../../schema/index.js';

/** replacePathRegex: rewrites the path with a regex; the original goes to X-Replaced-Path. */
export const replacePathRegexSchema = obj({ regex: str({ nonEmpty: true }), replacement: str() });
export type ReplacePathRegexOptions = Infer<typeof replacePathRegexSchema>;
