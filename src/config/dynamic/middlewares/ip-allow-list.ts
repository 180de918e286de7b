import { int, list, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';
import { ipStrategySchema } from './shared.js';

/** ipAllowList: only clients in `sourceRange` pass; others get `rejectStatusCode` (403). */
export const ipAllowListSchema = obj({
  sourceRange: list(str({ nonEmpty: true })),
  ipStrategy: optional(ipStrategySchema),
  rejectStatusCode: withDefault(int({ min: 100, max: 599 }), 403),
});
export type IpAllowListOptions = Infer<typeof ipAllowListSchema>;

/** ipWhiteList: Traefik's deprecated name for ipAllowList (without rejectStatusCode). */
export const ipWhiteListSchema = obj({
  sourceRange: list(str({ nonEmpty: true })),
  ipStrategy: optional(ipStrategySchema),
});
export type IpWhiteListOptions = Infer<typeof ipWhiteListSchema>;
