import { list, map, obj, optional, str, type Infer } from '../../schema/index.js';

/** errors: serves an error page from another service for the listed statuses. */
export const errorsSchema = obj({
  status: list(str({ nonEmpty: true })),
  service: str({ nonEmpty: true }),
  query: optional(str()),
  statusRewrites: optional(map(str({ nonEmpty: true }))),
  errorRequestHeaders: optional(list(str({ nonEmpty: true }))),
});
export type ErrorsOptions = Infer<typeof errorsSchema>;
