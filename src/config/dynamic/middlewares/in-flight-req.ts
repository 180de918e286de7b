import { int, obj, optional, type Infer } from '../../schema/index.js';
import { sourceCriterionSchema } from './shared.js';

/** inFlightReq: at most `amount` concurrent requests per source; more get 429. */
export const inFlightReqSchema = obj({
  amount: int({ min: 1 }),
  sourceCriterion: optional(sourceCriterionSchema),
});
export type InFlightReqOptions = Infer<typeof inFlightReqSchema>;
