import { spawn, spawnSync } from 'node:child_process';

/**
 * Runs a benchmark child with stdout sent to /dev/null (the benchmarks measure the work, not a
 * pipe reader) and stderr collected for the figures the child prints there.
 */
export function exec(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env?: Record<string, string>,
): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
    });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0
        ? resolve({ stderr })
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`)),
    );
  });
}

/** Reads every file under `dir` once, so the compared tools start from the page cache (the VM drops it after a minute). */
export function warm(dir: string): void {
  const r = spawnSync('sh', ['-c', 'find . -type f -print0 | xargs -0 cat > /dev/null'], { cwd: dir });
  if (r.status !== 0) throw new Error(`warming ${dir} failed: ${r.stderr}`);
}
