import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, usage } from '../../src/cli/command-line.js';
import { BerthError } from '../../src/errors/berth-error.js';

test('commands, static flags and command options', () => {
  const cases: Array<[string[], { command: string; args: string[]; options: Record<string, string | boolean> }]> = [
    [[], { command: 'run', args: [], options: {} }],
    [['--api.insecure', '--entryPoints.web.address=:80'], { command: 'run', args: ['--api.insecure', '--entryPoints.web.address=:80'], options: {} }],
    [['run', '--providers.docker'], { command: 'run', args: ['--providers.docker'], options: {} }],
    [['check', '--configFile', 'conf/berth.yml', '--log.level=DEBUG'], { command: 'check', args: ['--configFile', 'conf/berth.yml', '--log.level=DEBUG'], options: {} }],
    [['healthcheck', '--ping', '--configFile=/etc/berth/berth.yml'], { command: 'healthcheck', args: ['--ping', '--configFile=/etc/berth/berth.yml'], options: {} }],
    [['whoami', '--port=8082', '--name', 'demo'], { command: 'whoami', args: [], options: { port: '8082', name: 'demo' } }],
    [['whoami'], { command: 'whoami', args: [], options: {} }],
    [['version'], { command: 'version', args: [], options: {} }],
    [['--version'], { command: 'version', args: [], options: {} }],
    [['help'], { command: 'help', args: [], options: {} }],
    [['check', '-h'], { command: 'help', args: [], options: {} }],
    [['--api', '--help'], { command: 'help', args: [], options: {} }],
  ];
  for (const [argv, want] of cases) assert.deepEqual(parseCommandLine(argv), want, argv.join(' '));
});

test('mistakes are BerthErrors that say what to do', () => {
  const cases: Array<[string[], RegExp]> = [
    [['chek'], /unknown command "chek" \(did you mean "check"\?\); commands: run, check, healthcheck, whoami, version, help/],
    [['serve'], /unknown command "serve"/],
    [['run', '--log.level', 'DEBUG'], /unexpected argument "DEBUG" after command "run"; flag values need "="/],
    [['--api', 'check'], /put the command first/],
    [['-x'], /unknown option "-x"/],
    [['whoami', '--port=http'], /--port must be a port number/],
    [['whoami', '--port'], /--port needs a value/],
    [['whoami', '--api.insecure'], /"whoami" takes --port and --host and --name, not --api.insecure/],
    [['version', '--api'], /"version" takes no options/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseCommandLine(argv), (err: unknown) => {
      assert.ok(err instanceof BerthError, argv.join(' '));
      assert.equal(err.code, 'BERTH_ERR_INVALID_FLAG');
      assert.match(err.message, message, argv.join(' '));
      assert.match(err.message, /run "berth help" for usage/);
      return true;
    });
  }
});

test('usage lists every command and explains the precedence of sources', () => {
  const text = usage();
  for (const command of ['run', 'check', 'healthcheck', 'whoami', 'version', 'help']) assert.match(text, new RegExp(`^  ${command} `, 'm'));
  assert.match(text, /--port=\.\.\./);
  assert.match(text, /Berth merges them key by key/);
  assert.match(text, /BERTH_ENTRYPOINTS_WEB_ADDRESS/);
});
