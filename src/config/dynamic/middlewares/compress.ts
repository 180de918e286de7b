import { int, list, obj, oneOf, optional, str, withDefault, type Infer } from '../../schema/index.js';

const encodings = oneOf(['gzip', 'br', 'zstd']);

/** compress: gzip, brotli and (on Node >= 22.15) zstd, in the order of `encodings`. */
export const compressSchema = obj({
  excludedContentTypes: optional(list(str({ nonEmpty: true }))),
  includedContentTypes: optional(list(str({ nonEmpty: true }))),
  minResponseBodyBytes: withDefault(int({ min: 0 }), 1024),
  encodings: withDefault(list(encodings), ['gzip', 'br', 'zstd']),
  defaultEncoding: optional(str()),
}, {
  allowEmpty: true,
  check(value, fail) {
    if (value.excludedContentTypes !== undefined && value.includedContentTypes !== undefined) {
      fail('"excludedContentTypes" and "includedContentTypes" cannot both be set');
    }
  },
});
export type CompressOptions = Infer<typeof compressSchema>;
