import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('exit codes', () => {
  it('are distinct numbers', () => {
    const values = Object.values(EXIT_CODES);
    expect(new Set(values).size).toBe(values.length);
  });

  it('are documented in the README table exactly as the CLI prints them', () => {
    const r = spawnSync(process.execPath, [bin, 'exit-codes'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const printed = r.stdout.trim().split('\n');
    expect(printed).toHaveLength(Object.keys(EXIT_CODES).length);
    for (const line of printed) {
      const [, code] = /^\s*(\d+)\s/.exec(line) ?? [];
      expect(readme, `README row for exit code ${code}`).toMatch(new RegExp(`^\\|\\s*${code}\\s*\\|`, 'm'));
    }
  });

  it('maps a usage mistake to the usage code on stderr, keeping stdout clean', () => {
    const r = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(EXIT_CODES.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error\[USAGE\]/);
  });
});

describe('stdout closed early', () => {
  it('exits cleanly when the reader stops after one line (`| head -1`)', () => {
    // ~450 KB of output: far more than a pipe buffer, so the writer really meets a closed pipe
    const dir = mkdtempSync(join(tmpdir(), 'modelseal-epipe-'));
    for (let i = 0; i < 5000; i++) writeFileSync(join(dir, `f${i}`), String(i));
    try {
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"$0" "$1" digest "$2" --output text | head -1; exit "\${PIPESTATUS[0]}"`,
          process.execPath,
          bin,
          dir,
        ],
        {
          encoding: 'utf8',
        },
      );
      expect(r.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64} /);
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('user-named files', () => {
  it('a FIFO given as --key is refused at once instead of hanging the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelseal-fifo-'));
    try {
      const fifo = join(dir, 'key.pem');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const r = spawnSync(process.execPath, [bin, 'sign', dir, '--key', fifo], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.signal).toBeNull();
      expect(r.stderr).toMatch(/error\[NOT_A_FILE\]/);
      expect(r.status).toBe(EXIT_CODES.input);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
