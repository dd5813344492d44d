import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, TRUSTED_ROOT_MEDIA_TYPE } from '../src/index.ts';

const publicGoodText = readFileSync(new URL('../src/trust/public-good.trusted_root.json', import.meta.url));
const publicGood = () => JSON.parse(publicGoodText.toString('utf8'));

describe('vendored public-good trusted root', () => {
  it('is byte-identical to the copy documented in PUBLIC_GOOD.md', () => {
    const note = readFileSync(new URL('../src/trust/PUBLIC_GOOD.md', import.meta.url), 'utf8');
    const digest = createHash('sha256').update(publicGoodText).digest('hex');
    expect(note).toContain(digest);
  });

  it('parses with Rekor, Fulcio, CT logs and the TSA', () => {
    const root = publicGoodTrustedRoot();
    expect(root.tlogs.map((t) => t.baseUrl)).toContain('https://rekor.sigstore.dev');
    expect(root.certificateAuthorities.length).toBeGreaterThanOrEqual(2);
    expect(root.ctlogs.length).toBeGreaterThanOrEqual(1);
    expect(root.timestampAuthorities.length).toBeGreaterThanOrEqual(1);
  });
});

describe('parseTrustedRoot rejects malformed and inconsistent roots with codes', () => {
  // biome-ignore lint/suspicious/noExplicitAny: tests reach into arbitrary JSON to break it
  const mutate = (f: (j: Record<string, any>) => void) => {
    const j = publicGood();
    f(j);
    return j;
  };
  const cases: Array<[string, unknown, string]> = [
    ['not an object', [1, 2], 'TRUST_ROOT_INVALID'],
    ['null', null, 'TRUST_ROOT_INVALID'],
    ['wrong media type', mutate((j) => (j.mediaType = 'application/json')), 'TRUST_ROOT_MEDIA_TYPE'],
    [
      'tlog without validFor.start',
      mutate((j) => delete j.tlogs[0].publicKey.validFor.start),
      'TRUST_ROOT_VALIDITY',
    ],
    ['tlog without validFor', mutate((j) => delete j.tlogs[0].publicKey.validFor), 'TRUST_ROOT_VALIDITY'],
    [
      'CA without validFor.start',
      mutate((j) => delete j.certificateAuthorities[1].validFor.start),
      'TRUST_ROOT_VALIDITY',
    ],
    ['TSA without validFor', mutate((j) => delete j.timestampAuthorities[0].validFor), 'TRUST_ROOT_VALIDITY'],
    [
      'ctlog without start',
      mutate((j) => delete j.ctlogs[0].publicKey.validFor.start),
      'TRUST_ROOT_VALIDITY',
    ],
    [
      'end before start',
      mutate((j) => (j.certificateAuthorities[0].validFor.end = '2020-01-01T00:00:00Z')),
      'TRUST_ROOT_VALIDITY',
    ],
    [
      'start not a time',
      mutate((j) => (j.tlogs[0].publicKey.validFor.start = 'yesterday')),
      'TRUST_ROOT_VALIDITY',
    ],
    ['tlogs not a list', mutate((j) => (j.tlogs = {})), 'TRUST_ROOT_INVALID'],
    ['key bytes not base64', mutate((j) => (j.tlogs[0].publicKey.rawBytes = '%%%')), 'BAD_BASE64'],
    [
      'empty CA chain',
      mutate((j) => (j.certificateAuthorities[0].certChain.certificates = [])),
      'TRUST_ROOT_INVALID',
    ],
    ['missing logId', mutate((j) => delete j.tlogs[0].logId), 'TRUST_ROOT_INVALID'],
    ['trusts nothing', { mediaType: TRUSTED_ROOT_MEDIA_TYPE, tlogs: [], ctlogs: [] }, 'TRUST_ROOT_EMPTY'],
  ];
  it.each(cases)('%s', (_name, json, code) => {
    expect(codeOf(() => parseTrustedRoot(json))).toBe(code);
  });

  it('rejects the conformance root whose tlog lacks validFor.start', () => {
    const j = JSON.parse(
      readFileSync(
        `${SHARED_VECTORS}/sigstore-conformance/bundle-verify/trust-root-tlog-missing-validity-start_fail/trusted_root.json`,
        'utf8',
      ),
    );
    expect(codeOf(() => parseTrustedRoot(j))).toBe('TRUST_ROOT_VALIDITY');
  });

  it('accepts an open end written as null and keeps the bounds', () => {
    const root = parseTrustedRoot(mutate((j) => (j.tlogs[0].publicKey.validFor.end = null)));
    expect(root.tlogs[0]?.publicKey?.validFor?.start?.toISOString()).toBe('2021-01-12T11:53:27.000Z');
    expect(root.tlogs[0]?.publicKey?.validFor?.end).toBeUndefined();
  });
});
