import { obj, str, type Infer } from '../../schema/index.js';

/** addPrefix: prepends `prefix` to the request path. */
export const addPrefixSchema = obj({ prefix: str({ nonEmpty: true }) });
export type AddPrefixOptions = Infer<typeof addPrefixSchema>;
