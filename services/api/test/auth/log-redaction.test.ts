import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('API keys in logs', () => {
  it('are censored by the root logger wherever request headers get logged', () => {
    // The root logger writes to fd 1, so it runs in a child process whose stdout is read.
    const script = `
      import { createLogger } from './services/common/src/index.ts';
      const log = createLogger();
      log.info({ req: { headers: { authorization: 'Bearer vigie_aaaa_secret1', 'x-api-key': 'vigie_bbbb_secret2' } } }, 'request');
      log.info({ headers: { 'x-api-key': 'vigie_cccc_secret3', authorization: 'Bearer vigie_dddd_secret4' } }, 'request');
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(run.stdout).not.toMatch(/secret\d/);
    expect(run.stdout.match(/\[redacted\]/g)).toHaveLength(4);
  });
});
