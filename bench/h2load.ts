/**
 * The same warm /validate load driven by h2load (nghttp2's load generator, written in C), when it
 * is installed: a check that the latencies bench/load-gen.ts reports are the server's and not our
 * client's. h2load reports no percentiles itself, so they come from its per-request log.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface H2loadRun {
  readonly port: number;
  readonly body: string;
  readonly seconds: number;
}

export async function h2loadCheck(r: H2loadRun): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'modelseal-h2load-'));
  try {
    writeFileSync(join(dir, 'body.json'), r.body);
    const args = [
      '--h1',
      ...['-c', '10', '--rps=100'],
      ...['-D', String(r.seconds), '--warm-up-time=2'],
      ...['-d', join(dir, 'body.json'), '-H', 'content-type: application/json'],
      `--log-file=${join(dir, 'log.tsv')}`,
      `https://127.0.0.1:${r.port}/validate`,
    ];
    const run = await new Promise<{ code: number | string | null; output: string }>((resolve) => {
      execFile('h2load', args, { timeout: (r.seconds + 30) * 1000 }, (e, stdout) =>
        resolve({ code: (e as NodeJS.ErrnoException | null)?.code ?? 0, output: stdout }),
      );
    });
    if (run.code === 'ENOENT')
      return 'h2load check: skipped, h2load is not installed (Debian: nghttp2-client)';
    if (run.code !== 0) return `h2load check: h2load failed (${run.code}): ${run.output.slice(-300)}`;
    // columns: start (µs since epoch), status, microseconds until the response ended
    const rows = readFileSync(join(dir, 'log.tsv'), 'utf8').trim().split('\n');
    const ms = Float64Array.from(rows, (l) => Number(l.split('\t')[2]) / 1000).sort();
    const bad = rows.filter((l) => !/^2\d\d$/.test(l.split('\t')[1] ?? '')).length;
    const at = (p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!.toFixed(2);
    return (
      `h2load check, same /validate load (10 connections x 100 req/s, ${r.seconds} s): ` +
      `p50 ${at(50)}  p99 ${at(99)}  p99.9 ${at(99.9)}  max ${at(100)} ms, ${ms.length} requests` +
      (bad ? `, ${bad} not 2xx` : '')
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
