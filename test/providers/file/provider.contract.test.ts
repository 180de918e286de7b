import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/observability/logger.js';
import { createFileProvider } from '../../../src/providers/file/provider.js';
import { providerContract } from '../../contracts/provider.contract.js';

let counter = 0;

providerContract('file provider (directory)', {
  publishWithinMs: 3000,
  quietForMs: 400,
  async create() {
    const directory = await mkdtemp(join(tmpdir(), 'berth-file-contract-'));
    await writeFile(join(directory, 'a.yml'), 'http:\n  routers:\n    a:\n      rule: Host(`a.test`)\n      service: s\n');
    const provider = createFileProvider({ directory, watch: true, debugLogGeneratedTemplate: false }, { logger: silentLogger(), debounceMs: 50 });
    return {
      provider,
      addElement: () => writeFile(join(directory, `added-${++counter}.yml`), `http:\n  routers:\n    added${counter}:\n      rule: Host(\`b.test\`)\n`),
      cleanup: () => rm(directory, { recursive: true, force: true }),
    };
  },
});

providerContract('file provider (filename)', {
  publishWithinMs: 3000,
  quietForMs: 400,
  async create() {
    const directory = await mkdtemp(join(tmpdir(), 'berth-file-contract-'));
    const filename = join(directory, 'dynamic.yml');
    const first = 'http:\n  routers:\n    a:\n      rule: Host(`a.test`)\n';
    await writeFile(filename, first);
    const provider = createFileProvider({ filename, watch: true, debugLogGeneratedTemplate: false }, { logger: silentLogger(), debounceMs: 50 });
    return {
      provider,
      addElement: () => writeFile(filename, `${first}    added:\n      rule: Host(\`b.test\`)\n`),
      cleanup: () => rm(directory, { recursive: true, force: true }),
    };
  },
});
