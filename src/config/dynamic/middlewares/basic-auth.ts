import { bool, list, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';

/** The options basicAuth and digestAuth share: users inline or from a file, realm, and the user header. */
export function authUsersSchema() {
  return obj({
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
}

/** basicAuth: htpasswd users (MD5-apr1, SHA1, bcrypt); `users` wins over entries of `usersFile`. */
export const basicAuthSchema = authUsersSchema();
export type BasicAuthOptions = Infer<typeof basicAuthSchema>;
