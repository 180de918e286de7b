import { BerthError } from '../errors/berth-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { didYouMean } from '../util/suggest.js';

/** The `berth` commands. `run` is the default when no command is given, as with `traefik`. */
export type Command = 'run' | 'check' | 'version' | 'healthcheck' | 'whoami' | 'help';

export interface CommandLine {
  readonly command: Command;
  /** The static-configuration flags, in order, for `loadStaticConfig({ argv: args, ... })`. */
  readonly args: string[];
  /** The command's own options (`whoami --port=8082 --name=a`); static flags are in `args`, not here. */
  readonly options: Record<string, string | boolean>;
}

interface CommandSpec {
  readonly summary: string;
  /** The command's own options; every one takes a value. */
  readonly options: Readonly<Record<string, string>>;
  /** Whether the command reads the static configuration (and so takes its flags). */
  readonly staticFlags: boolean;
}

const COMMANDS: Readonly<Record<Command, CommandSpec>> = {
  run: { summary: 'start the proxy (the default command)', options: {}, staticFlags: true },
  check: { summary: 'validate the static configuration, print every problem, and exit', options: {}, staticFlags: true },
  healthcheck: { summary: 'GET /ping on the ping entryPoint; exit 0 when it answers 200 (for Docker HEALTHCHECK)', options: {}, staticFlags: true },
  whoami: {
    summary: 'start a small HTTP server that answers with the request it received',
    options: { port: 'port to listen on (default 80)', host: 'address to bind (default 0.0.0.0)', name: 'name to report in answers' },
    staticFlags: false,
  },
  version: { summary: 'print the version and exit', options: {}, staticFlags: false },
  help: { summary: 'print this help', options: {}, staticFlags: false },
};
const COMMAND_NAMES = Object.keys(COMMANDS) as Command[];

function isCommand(word: string): word is Command {
  return Object.hasOwn(COMMANDS, word);
}

function fail(message: string): never {
  throw new BerthError(ErrorCodes.INVALID_FLAG, `${message} (run "berth help" for usage)`);
}

/**
 * Parses `berth [command] [flags]` (argv without node and the script). `-h`/`--help` anywhere means `help`,
 * `--version` means `version`. Static-configuration flags pass through untouched in `args`, `--configFile path`
 * included; other options belong to their command. Throws a BerthError (BERTH_ERR_INVALID_FLAG) for an unknown
 * command, a misplaced argument or a bad command option.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let command: Command | undefined;
  const args: string[] = [];
  const options: Record<string, string | boolean> = {};
  let wantsHelp = false;
  let wantsVersion = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      wantsHelp = true;
      continue;
    }
    if (arg === '--version') {
      wantsVersion = true;
      continue;
    }
    if (!arg.startsWith('-')) {
      if (command !== undefined) fail(`unexpected argument "${arg}" after command "${command}"; flag values need "=", as in --log.level=DEBUG`);
      if (args.length > 0 || Object.keys(options).length > 0) fail(`unexpected argument "${arg}": put the command first, as in "berth ${arg} --flags"`);
      if (!isCommand(arg)) fail(`unknown command "${arg}"${didYouMean(arg, COMMAND_NAMES)}; commands: ${COMMAND_NAMES.join(', ')}`);
      command = arg;
      continue;
    }
    if (!arg.startsWith('--')) fail(`unknown option "${arg}": options start with "--"`);
    const spec = COMMANDS[command ?? 'run'];
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (Object.hasOwn(spec.options, name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') fail(`--${name} needs a value`);
      options[name] = value;
      continue;
    }
    if (!spec.staticFlags) {
      const own = Object.keys(spec.options);
      fail(`"${command}" takes ${own.length === 0 ? 'no options' : own.map((o) => `--${o}`).join(' and ')}, not ${arg}`);
    }
    args.push(arg);
    // `--configFile path` is the one static flag whose value may follow as the next argument.
    if (eq === -1 && name.toLowerCase() === 'configfile' && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('-')) {
      args.push(argv[++i] as string);
    }
  }

  if (wantsHelp) return { command: 'help', args: [], options: {} };
  if (wantsVersion) return { command: 'version', args: [], options: {} };
  const final = command ?? 'run';
  if (final === 'whoami' && options['port'] !== undefined) {
    const port = String(options['port']);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) fail(`--port must be a port number (0-65535), got "${port}"`);
  }
  return { command: final, args, options };
}

/** The text `berth help` prints. */
export function usage(): string {
  const width = Math.max(...COMMAND_NAMES.map((name) => name.length)) + 2;
  const commands = COMMAND_NAMES.map((name) => {
    const spec = COMMANDS[name];
    const own = Object.entries(spec.options).map(([option, text]) => `\n${' '.repeat(width + 4)}--${option}=...  ${text}`).join('');
    return `  ${name.padEnd(width)}${spec.summary}${own}`;
  }).join('\n');
  return `Usage: berth [command] [flags]

A reverse proxy that reads Traefik v3 configuration: static keys, Docker labels, dynamic files, rules.

Commands:
${commands}

Static configuration, from weakest to strongest (Berth merges them key by key; Traefik uses only one):
  1. a YAML file: --configFile=path, else the first of ./berth.yml, /etc/berth/berth.yml,
     ./traefik.yml, /etc/traefik/traefik.yml (.yaml too)
  2. environment variables TRAEFIK_* then BERTH_*: BERTH_ENTRYPOINTS_WEB_ADDRESS=:80
  3. flags: --entryPoints.web.address=:80 --providers.docker --api.insecure
     (a bare flag means true; lists are comma-separated; list items use [n], as in
      --entryPoints.websecure.http.tls.domains[0].main=example.com)
With none of these, Berth starts a demo: whoami on :8080, dashboard and /ping on :8081.

Examples:
  berth --entryPoints.web.address=:80 --providers.docker.exposedByDefault=false
  berth check --configFile=/etc/berth/berth.yml
  berth healthcheck --ping
  berth whoami --port=8082 --name=demo
`;
}
