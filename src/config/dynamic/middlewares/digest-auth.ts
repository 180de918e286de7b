import type { Infer } from '../../schema/index.js';
import { authUsersSchema } from './basic-auth.js';

/** digestAuth: `user:realm:hash` entries (htdigest); the same options as basicAuth. */
export const digestAuthSchema = authUsersSchema();
export type DigestAuthOptions = Infer<typeof digestAuthSchema>;
