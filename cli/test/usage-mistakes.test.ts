/** A usage mistake is exit 2 with a coded one-line error, never exit 1 with a stack trace. */
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, inPool, runCli } from './keyless-helpers.ts';

const M = 'examples/sample-model';
const S = `sample@sha256:${'a'.repeat(64)}`;
const CASES: [string[], string][] = [
  [['attest', M, '--subject', S, '--key', 'k.key'], 'TARGET_CONFLICT'],
  [['attest', '--key', 'k.key'], 'TARGET_MISSING'],
  [['sign'], 'USAGE'],
  [['sign', M, '--no-such-flag'], 'USAGE'],
  [['sign', M, '--serialization', 'zip'], 'USAGE'],
  [['verify-blob', M], 'USAGE'],
  [['nosuch'], 'USAGE'],
  [['sign', M, '--key', 'a', '--key', 'b'], 'FLAG_REPEATED'],
  [['digest', M, '--shard-size', '5'], 'SHARD_SIZE_WITHOUT_SHARDS'],
  [['keygen', '--algorithm', 'dsa'], 'USAGE'],
  [['verify', M, '--verify-time', 'yesterday', '--key', 'x'], 'VERIFY_TIME_INVALID'],
  [['attest', M, '--type', 'nosuch', '--key', 'k.key'], 'BAD_PREDICATE_TYPE'],
];

describe('usage mistakes', () => {
  it('exit 2 with a code and no stack trace', { timeout: 60_000 }, async () => {
    const results = await inPool(CASES, 2, ([args]) => runCli(args));
    const seen = results.map((r, i) => ({
      args: CASES[i]?.[0].join(' '),
      status: r.status,
      code: errorCode(r.stderr),
      stack: /\n\s+at /.test(r.stderr),
    }));
    expect(seen).toEqual(
      CASES.map(([args, code]) => ({ args: args.join(' '), status: EXIT_CODES.usage, code, stack: false })),
    );
  });
});
