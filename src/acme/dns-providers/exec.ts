import { spawn } from 'node:child_process';
import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { actionProvider, type DnsChallengeRecord, type DnsProvider, type Environment } from './dns-provider.js';

/**
 * lego's `exec` provider: runs `EXEC_PATH present|cleanup <fqdn> <value>`; with `EXEC_MODE=RAW`,
 * `EXEC_PATH present|cleanup -- <domain> <token> <keyAuthorization>`. A non-zero exit is a failure, with the
 * program's output in the message.
 */
export function createExecProvider(env: Environment): DnsProvider {
  const program = env['EXEC_PATH'];
  if (program === undefined || program === '') {
    throw new BerthError(ErrorCodes.ACME_DNS_PROVIDER, 'the "exec" DNS provider needs EXEC_PATH: set it to the program that manages TXT records');
  }
  const raw = env['EXEC_MODE'] === 'RAW';
  const run = (action: 'present' | 'cleanup', record: DnsChallengeRecord, signal: AbortSignal): Promise<void> => {
    const args = raw ? [action, '--', record.domain, record.token, record.keyAuthorization] : [action, record.fqdn, record.value];
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { env: { ...process.env, ...env }, signal, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.on('error', (err) => reject(new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `exec: cannot run "${program}": ${err.message}`, { cause: err })));
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new BerthError(ErrorCodes.ACME_DNS_PROVIDER, `exec: "${program} ${action}" exited with ${String(code)}: ${output.trim().slice(0, 500)}`));
      });
    });
  };
  return actionProvider('exec', 'EXEC', env, run);
}
