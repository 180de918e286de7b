import { bool, obj, withDefault, type Infer } from '../../schema/index.js';

const flag = () => withDefault(bool(), false);

/** encodedCharacters (3.7): rejects paths with the listed percent-encoded characters (400). */
export const encodedCharactersSchema = obj({
  allowEncodedSlash: flag(),
  allowEncodedBackSlash: flag(),
  allowEncodedNullCharacter: flag(),
  allowEncodedSemicolon: flag(),
  allowEncodedPercent: flag(),
  allowEncodedQuestionMark: flag(),
  allowEncodedHash: flag(),
}, { allowEmpty: true });
export type EncodedCharactersOptions = Infer<typeof encodedCharactersSchema>;
