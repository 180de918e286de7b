import { list, obj, str, type Infer } from '../../schema/index.js';

/** stripPrefixRegex: removes the part of the path matched by the first matching regex. */
export const stripPrefixRegexSchema = obj({ regex: list(str({ nonEmpty: true })) });
export type StripPrefixRegexOptions = Infer<typeof stripPrefixRegexSchema>;
