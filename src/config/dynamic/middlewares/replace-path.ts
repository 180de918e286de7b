import { obj, str, type Infer } from '../../schema/index.js';

/** replacePath: replaces the path; the original goes to X-Replaced-Path. */
export const replacePathSchema = obj({ path: str() });
export type ReplacePathOptions = Infer<typeof replacePathSchema>;
