import { bool, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';

/** redirectScheme: redirects to `scheme` (and `port`) unless the request already uses it. */
export const redirectSchemeSchema = obj({
  scheme: str({ nonEmpty: true }),
  port: optional(str()),
  permanent: withDefault(bool(), false),
});
export type RedirectSchemeOptions = Infer<typeof redirectSchemeSchema>;
