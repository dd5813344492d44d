import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startLocalSigstore } from '../src/index.ts';

const SERVE = fileURLToPath(new URL('../src/serve.ts', import.meta.url));

describe('local Sigstore', () => {
  it('answers only POSTs on its routes over 127.0.0.1, refuses oversized bodies, and closes', async () => {
    const ss = await startLocalSigstore();
    try {
      expect(new URL(ss.fulcioUrl).hostname).toBe('127.0.0.1');
      expect((await fetch(`${ss.fulcioUrl}/nope`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${ss.fulcioUrl}/api/v2/signingCert`)).status).toBe(405);
      const big = await fetch(`${ss.rekorUrl}/api/v1/log/entries`, {
        method: 'POST',
        body: 'x'.repeat(2 << 20),
      }).catch(() => undefined);
      expect(big === undefined || big.status === 413).toBe(true);
      const garbage = await fetch(`${ss.rekorUrl}/api/v1/log/entries`, { method: 'POST', body: '{not json' });
      expect(garbage.status).toBe(400);
      const noToken = await fetch(`${ss.fulcioUrl}/api/v2/signingCert`, { method: 'POST', body: '{}' });
      expect(noToken.status).toBe(400);
    } finally {
      await ss.close();
    }
    await expect(fetch(`${ss.fulcioUrl}/api/v2/signingCert`, { method: 'POST' })).rejects.toThrow();
  });

  it('serve.ts writes the root, the signing config and a 0600 token, prints URLs, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelseal-serve-'));
    const child = spawn(process.execPath, [SERVE, dir, '--identity', 'alice@example.com'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error('serve.ts printed nothing in 30 s')), 30_000);
        child.stdout.on('data', (d) => {
          buf += d;
          if (buf.includes('\n')) {
            clearTimeout(timer);
            resolve(buf.split('\n')[0]!);
          }
        });
        child.on('exit', () => reject(new Error('serve.ts exited early')));
      });
      const info = JSON.parse(line);
      expect(info.fulcioUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(JSON.parse(readFileSync(info.trustedRoot, 'utf8')).tlogs[0].baseUrl).toBe(info.rekorUrl);
      expect(existsSync(info.signingConfig)).toBe(true);
      expect(statSync(info.token).mode & 0o777).toBe(0o600);
      expect(line).not.toContain(readFileSync(info.token, 'utf8'));
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
