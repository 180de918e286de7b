import { bool, obj, optional, type Infer } from '../../schema/index.js';

/** contentType: its presence turns on Content-Type sniffing for responses that lack one. */
export const contentTypeSchema = obj({
  autoDetect: optional(bool(), { deprecated: 'the presence of the contentType middleware enables detection' }),
}, { allowEmpty: true });
export type ContentTypeOptions = Infer<typeof contentTypeSchema>;
