import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AdmissionPolicy, PolicyEngine } from '@modelseal/admission';
import { loadPolicyFiles } from '@modelseal/admission/load';

/**
 * --policy-file as a live source: re-read when the file (or directory listing) changes, e.g. a
 * ConfigMap update. A bad new version is logged and the last good one kept, so an edit in progress
 * never leaves the cluster without a policy.
 */
export function watchPolicyFiles(
  path: string,
  engine: Pick<PolicyEngine, 'parsePolicy'>,
  log: (level: 'info' | 'error', msg: string, fields?: Record<string, unknown>) => void,
  pollMs = 5_000,
): { current(): readonly AdmissionPolicy[]; ready(): boolean; close(): void } {
  let snapshot: readonly AdmissionPolicy[] = Object.freeze(loadPolicyFiles(path, engine));
  let last = fingerprint(path);
  const timer = setInterval(() => {
    const now = fingerprint(path);
    if (now === last) return;
    last = now;
    try {
      snapshot = Object.freeze(loadPolicyFiles(path, engine));
      log('info', 'policies reloaded', { path, policies: snapshot.map((p) => p.policy.name) });
    } catch (e) {
      log('error', 'policy reload failed; keeping the previous policies', {
        path,
        code: (e as { code?: string }).code,
        message: (e as Error).message,
      });
    }
  }, pollMs);
  timer.unref();
  return { current: () => snapshot, ready: () => true, close: () => clearInterval(timer) };
}

function fingerprint(path: string): string {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return `${st.mtimeMs}:${st.size}`;
    return readdirSync(path)
      .sort()
      .map((f) => {
        const s = statSync(join(path, f));
        return `${f}:${s.mtimeMs}:${s.size}`;
      })
      .join('|');
  } catch {
    return 'unreadable';
  }
}
