import { map, opaque, type Infer } from '../../schema/index.js';

/** plugin.<name>.*: Traefik's Yaegi/WASM plugins. Parsed so that their presence can be reported clearly. */
export const pluginSchema = map(opaque());
export type PluginOptions = Infer<typeof pluginSchema>;
