/**
 * `pnpm bench cel`: the worst conditions the CEL limits allow (packages/policy/test/cel-hostile.ts)
 * over a large predicate, each evaluated 15 times; min / median / max wall time per condition.
 * All of them stop at the cost budget: what is measured is how long reaching it takes.
 */
import { CEL_LIMITS, compileCondition } from '../packages/policy/src/cel.ts';
import { HOSTILE_CONDITIONS, HOSTILE_PREDICATE } from '../packages/policy/test/cel-hostile.ts';
import { median, table } from './report.ts';

export async function run(_args: string[]): Promise<void> {
  const rows = [['condition', 'result', 'min ms', 'median ms', 'max ms']];
  for (const [name, expr] of Object.entries(HOSTILE_CONDITIONS)) {
    const c = compileCondition(expr, name);
    const times: number[] = [];
    let result = '';
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      result = c.evaluate({
        predicate: HOSTILE_PREDICATE,
        subject: `sha256:${'0'.repeat(64)}`,
        predicateType: 'https://slsa.dev/provenance/v1',
        signer: { kind: 'key', keyId: 'k' },
      }).kind;
      times.push(performance.now() - t0);
    }
    rows.push([
      name,
      result,
      Math.min(...times).toFixed(1),
      median(times).toFixed(1),
      Math.max(...times).toFixed(1),
    ]);
  }
  process.stdout.write(
    `limits: ${CEL_LIMITS.maxCost} work units, ${CEL_LIMITS.maxMillis} ms cap, literals <= ${CEL_LIMITS.maxLiteralSize}\n${table(rows)}\n`,
  );
}
