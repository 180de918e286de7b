import { list, obj, str, type Infer } from '../../schema/index.js';

/** chain: a reusable list of middlewares. */
export const chainSchema = obj({ middlewares: list(str({ nonEmpty: true })) });
export type ChainOptions = Infer<typeof chainSchema>;
