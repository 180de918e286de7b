import { bool, int, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';

/** buffering: reads whole bodies before forwarding; limits give 413 (request) and 500 (response). */
export const bufferingSchema = obj({
  maxRequestBodyBytes: withDefault(int({ min: 0 }), 0),
  memRequestBodyBytes: withDefault(int({ min: 0 }), 1_048_576),
  maxResponseBodyBytes: withDefault(int({ min: 0 }), 0),
  memResponseBodyBytes: withDefault(int({ min: 0 }), 1_048_576),
  retryExpression: optional(str()),
  disableRequestBuffer: withDefault(bool(), false),
  disableResponseBuffer: withDefault(bool(), false),
});
export type BufferingOptions = Infer<typeof bufferingSchema>;
