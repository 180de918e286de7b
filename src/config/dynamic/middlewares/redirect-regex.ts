import { bool, obj, str, withDefault, type Infer } from '../../schema/index.js';

/** redirectRegex: redirects when the full request URL matches `regex`, to `replacement` (`${1}` groups). */
export const redirectRegexSchema = obj({
  regex: str({ nonEmpty: true }),
  replacement: str({ nonEmpty: true }),
  permanent: withDefault(bool(), false),
});
export type RedirectRegexOptions = Infer<typeof redirectRegexSchema>;
