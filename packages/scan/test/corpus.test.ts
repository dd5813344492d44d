import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import {
  bytesReader,
  type FileReport,
  ML_PROFILE,
  type Profile,
  scanFile,
  WEIGHTS_ONLY_PROFILE,
} from '../src/index.ts';

/** picklescan's own fixtures (../shared/vectors/picklescan, see SOURCE.md) with its verdicts. */
const DIR = join(SHARED_VECTORS, 'picklescan');

interface Expected {
  path: string;
  verdict: 'safe' | 'dangerous';
  sha256: string;
  globals: { module: string; name: string; safety: string }[];
  also_acceptable?: string[];
}
const expected: Expected[] = JSON.parse(readFileSync(join(DIR, 'EXPECTED.json'), 'utf8')).files;

const scan = (e: Expected, profile: Profile): FileReport =>
  scanFile(e.path, bytesReader(new Uint8Array(readFileSync(join(DIR, e.path)))), { profile });

/** Codes that say "could not read or identify this", the acceptable answer for the non-models. */
const UNREADABLE = new Set(['FORMAT_UNKNOWN', 'ZIP_ENCRYPTED', 'ZIP_SIZE_MISMATCH', 'ZIP_MALFORMED']);

describe('picklescan corpus', () => {
  it('has the 109 files EXPECTED.json describes', () => {
    expect(expected).toHaveLength(109);
    expect(expected.filter((e) => e.verdict === 'dangerous')).toHaveLength(95);
  });

  for (const profile of [WEIGHTS_ONLY_PROFILE, ML_PROFILE]) {
    describe(`profile ${profile.name}`, () => {
      it('rejects every dangerous file and names each resolvable dangerous global', () => {
        for (const e of expected.filter((x) => x.verdict === 'dangerous')) {
          const r = scan(e, profile);
          expect(r.verdict, e.path).toBe('fail');
          for (const g of e.globals.filter((x) => x.safety === 'dangerous')) {
            // picklescan's placeholders for operands it could not resolve ('unknown')
            if (g.module === 'unknown' || g.name === 'unknown') {
              const codes = r.findings.map((f) => f.code);
              expect(
                codes.some((c) => c === 'PICKLE_STACK_GLOBAL_NONCONST' || c === 'PICKLE_MEMO_MISSING'),
                `${e.path}: an unresolvable import is itself a finding`,
              ).toBe(true);
            } else {
              const named = r.findings.some(
                (f) => f.code === 'GLOBAL_NOT_ALLOWED' && f.global === `${g.module}.${g.name}`,
              );
              expect(named, `${e.path} must name ${g.module}.${g.name}`).toBe(true);
            }
          }
        }
      });
    });
  }

  it('ml profile: accepts every safe file, except the three non-models, which fail as unreadable', () => {
    for (const e of expected.filter((x) => x.verdict === 'safe')) {
      const r = scan(e, ML_PROFILE);
      if (e.also_acceptable?.includes('error') && r.verdict === 'fail') {
        expect(
          r.findings.every((f) => UNREADABLE.has(f.code)),
          `${e.path}: ${JSON.stringify(r.findings)}`,
        ).toBe(true);
        continue;
      }
      expect(r.verdict, `${e.path}: ${JSON.stringify(r.findings)}`).toBe('pass');
    }
  });

  it('weights-only profile: accepts the safe files torch.load(weights_only=True) accepts; numpy object arrays fail', () => {
    for (const e of expected.filter((x) => x.verdict === 'safe' && !x.also_acceptable)) {
      const r = scan(e, WEIGHTS_ONLY_PROFILE);
      const numpyGlobals = e.globals.some((g) => g.module.startsWith('numpy'));
      if (numpyGlobals) {
        expect(r.verdict, e.path).toBe('fail');
        expect(r.findings.map((f) => f.global)).toContain('numpy.ndarray');
      } else expect(r.verdict, `${e.path}: ${JSON.stringify(r.findings)}`).toBe('pass');
    }
  });

  it('reads the real PyTorch checkpoints as the formats they are', () => {
    const byPath = (p: string) => expected.find((e) => e.path === p)!;
    const zipped = scan(byPath('data/new_pytorch_model.bin'), WEIGHTS_ONLY_PROFILE);
    expect(zipped.format).toBe('pytorch-zip');
    expect(zipped.globals).toEqual(
      expect.arrayContaining([
        'torch._utils._rebuild_tensor_v2',
        'torch.FloatStorage',
        'collections.OrderedDict',
      ]),
    );
    expect(zipped.members).toContainEqual({ path: 'archive/data/0', format: 'tensor-data' });
    expect(scan(byPath('data/pytorch_model.bin'), WEIGHTS_ONLY_PROFILE).format).toBe('pytorch-legacy');
    // the same layout with an eval'd magic number is no legacy checkpoint
    const bypass = scan(byPath('data/pytorch_magic_bypass.pt'), WEIGHTS_ONLY_PROFILE);
    expect(bypass.format).toBe('pickle');
    expect(bypass.findings.map((f) => f.code)).toContain('PICKLE_TRAILING_DATA');
  });

  it('reports the container anomalies it still looked through', () => {
    const codes = (p: string) =>
      scan(expected.find((e) => e.path === p)!, ML_PROFILE).findings.map((f) => f.code);
    expect(codes('data2/malicious1_crc.zip')).toContain('ZIP_CRC_MISMATCH');
    expect(codes('data/malicious1_central_directory.zip')).toContain('ZIP_NAME_MISMATCH');
    expect(codes('data/malicious1_0x1.zip')).toContain('ZIP_ENCRYPTED');
    expect(codes('data/malicious1.7z')).toContain('FORMAT_NOT_ANALYSED');
    expect(codes('data2/keyerror-exploit.pkl')).toContain('PICKLE_MEMO_MISSING');
    expect(codes('data/sys_module_override_sploit.pkl')).toContain('PICKLE_BUILD_TARGET');
  });
});
