import { bool, list, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';

/** basicAuth: htpasswd users (MD5-apr1, SHA1, bcrypt); `users` wins over entries of `usersFile`. */
export const basicAuthSchema = obj({
  users: optional(list(str({ nonEmpty: true }))),
  usersFile: optional(str({ nonEmpty: true })),
  realm: withDefault(str(), 'traefik'),
  headerField: optional(str()),
  removeHeader: withDefault(bool(), false),
}, {
  check(value, fail) {
    if ((value.users ?? []).length === 0 && value.usersFile === undefined) fail('set "users" or "usersFile"');
  },
});
export type BasicAuthOptions = Infer<typeof basicAuthSchema>;
