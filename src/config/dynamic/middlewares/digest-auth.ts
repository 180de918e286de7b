import { bool, list, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';

/** digestAuth: `user:realm:hash` entries (htdigest). */
export const digestAuthSchema = obj({
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
export type DigestAuthOptions = Infer<typeof digestAuthSchema>;
