import { list, obj, optional, str, type Infer } from '../../schema/index.js';

/** grpcWeb: translates gRPC-Web requests to gRPC. */
export const grpcWebSchema = obj({ allowOrigins: optional(list(str({ nonEmpty: true }))) }, { allowEmpty: true });
export type GrpcWebOptions = Infer<typeof grpcWebSchema>;
