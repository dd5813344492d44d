import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../scripts/demo.ts', import.meta.url));

describe('quick-start demo', () => {
  it('signs, verifies, catches the tampered file and runs the admission decision, as the README says', () => {
    const r = spawnSync(process.execPath, [demo], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/MODEL_DIGEST_MISMATCH.*changed: model\.safetensors/);
    expect(r.stdout).toMatch(/signed-model/);
    expect(r.stdout).toMatch(/unsigned-model/);
    expect(r.stdout).toMatch(/spec\.volumes\[0\]/);
    expect(r.stdout).toMatch(/demo finished/);
  });
});
