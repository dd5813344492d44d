/** The interactive passphrase prompt, on a real pseudo-terminal (util-linux `script`). */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;

afterAll(cleanup);

/** Runs the CLI on a pty, types `answer` once the prompt shows, returns the terminal transcript. */
function onTerminal(args: string[], answer: string): Promise<{ status: number | null; transcript: string }> {
  const env = { ...process.env };
  delete env.MODELSEAL_KEY_PASSPHRASE;
  const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const p = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let transcript = '';
    let typed = false;
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`no answer from the CLI on a terminal: ${transcript}`));
    }, 45_000);
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      transcript += d;
      if (!typed && transcript.includes('Passphrase for')) {
        typed = true;
        // give the prompt a moment to switch the terminal to raw mode
        setTimeout(() => p.stdin.write(`${answer}\r`), 300);
      }
    });
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, transcript });
    });
  });
}

describe.skipIf(!hasScript)('passphrase prompt on a terminal', () => {
  it('signs with the typed passphrase without echoing it, and refuses a wrong one', async () => {
    const dir = tempDir();
    const model = join(dir, 'm');
    mkdirSync(model);
    writeFileSync(join(model, 'w.bin'), 'weights');
    const prefix = join(dir, 'k');
    expect(
      cli(['keygen', '--output-key-prefix', prefix, '--encrypt'], { MODELSEAL_KEY_PASSPHRASE: 'tty-secret' })
        .status,
    ).toBe(0);
    const ok = await onTerminal(['sign', model, '--key', `${prefix}.key`], 'tty-secret');
    expect(ok.transcript).toContain('Signed 1 resource');
    expect(ok.transcript).not.toContain('tty-secret');
    expect(ok.status).toBe(0);
    expect(cli(['verify', model, '--key', `${prefix}.pub`]).status).toBe(0);
    const bad = await onTerminal(['sign', model, '--key', `${prefix}.key`], 'not-it');
    expect(bad.transcript).toContain('KEY_PASSPHRASE_INVALID');
    expect(bad.transcript).not.toContain('not-it');
    expect(bad.status).toBe(6);
    // attest shares sign's signer options: same prompt, same refusal
    const attest = ['attest', model, '--builder-id', 'https://ci.example/b', '--bundle', join(dir, 'a.json')];
    const att = await onTerminal([...attest, '--key', `${prefix}.key`], 'tty-secret');
    expect(att.transcript).toContain('attested');
    expect(att.transcript).not.toContain('tty-secret');
    expect(att.status).toBe(0);
    const attBad = await onTerminal([...attest, '--key', `${prefix}.key`], 'not-it');
    expect(attBad.transcript).toContain('KEY_PASSPHRASE_INVALID');
    expect(attBad.status).toBe(6);
  });
});
