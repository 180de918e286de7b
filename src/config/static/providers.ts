import type { DeepReadonly } from '../../util/deep-freeze.js';
import { bool, duration, list, obj, optional, str, withDefault, type Infer } from '../schema/index.js';

/** Client TLS towards the Docker daemon (`tcp://` endpoints). */
const dockerTlsSchema = obj({
  ca: optional(str({ nonEmpty: true })),
  cert: optional(str({ nonEmpty: true })),
  key: optional(str({ nonEmpty: true })),
  insecureSkipVerify: withDefault(bool(), false),
});

/**
 * `providers.docker` (Traefik's keys and defaults, reference §1.3), plus `labelPrefixes`: Berth reads `berth.*`
 * and `traefik.*` labels; a container's labels are read under the first prefix it carries.
 */
export const dockerProviderSchema = obj({
  endpoint: withDefault(str({ nonEmpty: true }), 'unix:///var/run/docker.sock'),
  username: optional(str()),
  password: optional(str()),
  tls: optional(dockerTlsSchema),
  httpClientTimeout: withDefault(duration(), 0),
  exposedByDefault: withDefault(bool(), true),
  defaultRule: withDefault(str({ nonEmpty: true }), 'Host(`{{ normalize .Name }}`)'),
  network: optional(str()),
  useBindPortIP: withDefault(bool(), false),
  watch: withDefault(bool(), true),
  constraints: optional(str()),
  allowEmptyServices: withDefault(bool(), false),
  labelPrefixes: withDefault(list(str({ nonEmpty: true })), ['berth', 'traefik']),
}, { allowEmpty: true });
export type DockerProviderSettings = DeepReadonly<Infer<typeof dockerProviderSchema>>;

/** `providers.file`: one file or a directory of `.yml`/`.yaml` files, watched by default. */
export const fileProviderSchema = obj({
  filename: optional(str({ nonEmpty: true })),
  directory: optional(str({ nonEmpty: true })),
  watch: withDefault(bool(), true),
  debugLogGeneratedTemplate: withDefault(bool(), false),
}, {
  allowEmpty: true,
  check(value, fail) {
    if (value.filename !== undefined && value.directory !== undefined) fail('set either "filename" or "directory", not both');
    if (value.filename === undefined && value.directory === undefined) fail('set "filename" or "directory"');
  },
});
export type FileProviderSettings = DeepReadonly<Infer<typeof fileProviderSchema>>;
