import { duration, int, list, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';
import { clientTlsSchema, sourceCriterionSchema } from './shared.js';

/** rateLimit: a token bucket of `average` requests per `period` with `burst`, per source. */
export const rateLimitSchema = obj({
  average: withDefault(int({ min: 0 }), 0),
  period: withDefault(duration({ min: 1 }), 1000),
  burst: withDefault(int({ min: 1 }), 1),
  sourceCriterion: optional(sourceCriterionSchema),
  redis: optional(obj({
    endpoints: withDefault(list(str({ nonEmpty: true })), ['localhost:6379']),
    username: optional(str()),
    password: optional(str()),
    db: withDefault(int({ min: 0 }), 0),
    poolSize: optional(int({ min: 0 })),
    minIdleConns: optional(int({ min: 0 })),
    maxActiveConns: optional(int({ min: 0 })),
    readTimeout: withDefault(duration({ min: 0 }), 3000),
    writeTimeout: withDefault(duration({ min: 0 }), 3000),
    dialTimeout: withDefault(duration({ min: 0 }), 5000),
    tls: optional(clientTlsSchema),
  }, { allowEmpty: true })),
});
export type RateLimitOptions = Infer<typeof rateLimitSchema>;
