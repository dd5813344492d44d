/**
 * decide() answers inside its deadline even when the work is CPU-bound: the timer cannot fire
 * while verification and CEL run without yielding, so the deadline travels with the check.
 */
import { describe, expect, it } from 'vitest';
import { parseReview } from '../src/admission.ts';
import { createChecker } from '../src/checker.ts';
import { decide } from '../src/decide.ts';
import { realVerify } from '../src/engine.ts';
import { toAdmissionPolicy } from '../src/policies.ts';
import { memoryStore } from './fakes.ts';
import { imageVolume, podSpec, review, workload } from './reviews.ts';
import { policyDoc, SLSA, testEngine, testSigner } from './signing.ts';

const lit = `[${Array.from({ length: 128 }, (_, i) => i).join(',')}]`;
/** passes every parse-time limit; stops at the cost budget (~10 ms) */
export const HOSTILE_CEL = `${lit}.all(x, ${lit}.all(y, ${lit}.all(z, x + y + z >= 0)))`;

describe('a CPU-bound decision still answers at the deadline', () => {
  it('60 attested models under a policy of expensive conditions: DEADLINE_EXCEEDED deny in time', async () => {
    const signer = testSigner();
    const store = memoryStore();
    const digests = Array.from({ length: 60 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    for (const d of digests) store.put(d, SLSA, await signer.attest(d, SLSA, {}));
    const policy = toAdmissionPolicy(
      policyDoc(
        'expensive',
        { ci: signer },
        {
          require: Array.from({ length: 8 }, (_, r) => ({
            predicateType: SLSA,
            conditions: Array.from({ length: 32 }, (_, i) => `${HOSTILE_CEL} || ${r * 32 + i} < 0`),
          })),
        },
      ),
      'test',
      testEngine,
    );
    const checker = createChecker({
      store,
      verify: realVerify,
      engine: testEngine,
      now: Date.now,
    });
    const pod = workload('Pod', podSpec(digests.map((d, i) => imageVolume(`m${i}`, `r.example/m@${d}`))));
    const deadlineMs = 400;
    const t0 = performance.now();
    const res = await decide(parseReview(review(pod)), { policies: () => [policy], checker, deadlineMs });
    const ms = performance.now() - t0;
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toContain('DEADLINE_EXCEEDED');
    // CEL evaluation looks at the deadline itself, so the overshoot is one bundle verification or
    // a few hundred CEL steps; without the clock this takes 3-8 s
    expect(ms).toBeLessThan(deadlineMs + 600);
  });
});
