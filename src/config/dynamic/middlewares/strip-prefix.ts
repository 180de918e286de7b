import { list, obj, removed, str, type Infer } from '../../schema/index.js';

/** stripPrefix: removes the first matching prefix; it is passed on in X-Forwarded-Prefix. */
export const stripPrefixSchema = obj({
  prefixes: list(str({ nonEmpty: true })),
  forceSlash: removed('the path is always left with its leading slash'),
});
export type StripPrefixOptions = Infer<typeof stripPrefixSchema>;
