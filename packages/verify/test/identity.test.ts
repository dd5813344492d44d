import { describe, expect, it } from 'vitest';
import { codeOf as errCode } from '../../../test/codes.ts';
import { checkIdentity, compileIdentity } from '../src/index.ts';

const ID = 'https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main';
const ISS = 'https://token.actions.githubusercontent.com';

describe('identity policy', () => {
  it('matches exact values only: no prefix, suffix or regexp meaning', () => {
    const p = compileIdentity({ identity: ID, issuer: ISS });
    expect(errCode(() => checkIdentity(p, { identity: ID, issuer: ISS }))).toBe('none');
    for (const id of [ID.slice(0, -1), `${ID}x`, `x${ID}`, ID.replace('.github', 'xgithub')]) {
      expect(errCode(() => checkIdentity(p, { identity: id, issuer: ISS }))).toBe('IDENTITY_MISMATCH');
    }
    expect(errCode(() => checkIdentity(p, { identity: ID, issuer: `${ISS}.evil` }))).toBe('ISSUER_MISMATCH');
    expect(errCode(() => checkIdentity(p, { identity: undefined, issuer: ISS }))).toBe('IDENTITY_MISMATCH');
    expect(errCode(() => checkIdentity(p, { identity: ID, issuer: undefined }))).toBe('ISSUER_MISMATCH');
  });

  it('anchors regexps so alternatives cannot escape', () => {
    const p = compileIdentity({ identityRegexp: 'a@x\\.com|b@x\\.com', issuerRegexp: 'https://[a-z.]+' });
    expect(errCode(() => checkIdentity(p, { identity: 'b@x.com', issuer: 'https://i.example' }))).toBe(
      'none',
    );
    expect(errCode(() => checkIdentity(p, { identity: 'a@x.com.evil', issuer: 'https://i' }))).toBe(
      'IDENTITY_MISMATCH',
    );
    expect(errCode(() => checkIdentity(p, { identity: 'evil-b@x.com', issuer: 'https://i' }))).toBe(
      'IDENTITY_MISMATCH',
    );
    expect(errCode(() => checkIdentity(p, { identity: 'a@x.com', issuer: 'https://i/x' }))).toBe(
      'ISSUER_MISMATCH',
    );
  });

  it('requires identity and issuer, refuses conflicts and broken regexps', () => {
    expect(errCode(() => compileIdentity(undefined))).toBe('IDENTITY_REQUIRED');
    expect(errCode(() => compileIdentity({ identity: ID }))).toBe('IDENTITY_REQUIRED');
    expect(errCode(() => compileIdentity({ issuer: ISS }))).toBe('IDENTITY_REQUIRED');
    expect(errCode(() => compileIdentity({ identity: '', issuer: ISS }))).toBe('IDENTITY_REQUIRED');
    expect(errCode(() => compileIdentity({ identity: ID, identityRegexp: '.*', issuer: ISS }))).toBe(
      'IDENTITY_CONFLICT',
    );
    expect(errCode(() => compileIdentity({ identityRegexp: '(', issuer: ISS }))).toBe(
      'IDENTITY_REGEXP_INVALID',
    );
  });
});

describe('identity regexps have RE2 semantics', () => {
  it('a pattern that backtracks exponentially in JS matches a long SAN at once', () => {
    const p = compileIdentity({ identityRegexp: '(a+)+b', issuerRegexp: '(x|x)*y' });
    const t0 = performance.now();
    expect(errCode(() => checkIdentity(p, { identity: 'a'.repeat(64), issuer: 'y' }))).toBe(
      'IDENTITY_MISMATCH',
    );
    expect(errCode(() => checkIdentity(p, { identity: 'aab', issuer: 'x'.repeat(64) }))).toBe(
      'ISSUER_MISMATCH',
    );
    expect(errCode(() => checkIdentity(p, { identity: 'aab', issuer: 'xxy' }))).toBe('none');
    // as JS regexps either check alone runs for hours; RE2 takes well under a second here
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('patterns outside RE2 (backreferences, lookaheads) are refused when compiled', () => {
    expect(errCode(() => compileIdentity({ identityRegexp: '(a)\\1', issuer: ISS }))).toBe(
      'IDENTITY_REGEXP_INVALID',
    );
    expect(errCode(() => compileIdentity({ identityRegexp: 'a(?=b)', issuer: ISS }))).toBe(
      'IDENTITY_REGEXP_INVALID',
    );
  });
});
