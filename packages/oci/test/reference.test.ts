import { describe, expect, it } from 'vitest';
import { codeOf as code } from '../../../test/codes.ts';
import {
  formatReference,
  isLoopbackRegistry,
  parseDigest,
  parseReference,
  referrersTag,
  registryApiHost,
} from '../src/index.ts';

const HEX = 'ab'.repeat(32);

describe('parseReference', () => {
  it('splits registry, repository and tag', () => {
    expect(parseReference('registry.example.com/models/llama:v1')).toEqual({
      registry: 'registry.example.com',
      repository: 'models/llama',
      tag: 'v1',
    });
  });

  it('takes a digest, alone or after a tag', () => {
    expect(parseReference(`registry.example.com/models/llama@sha256:${HEX}`)).toEqual({
      registry: 'registry.example.com',
      repository: 'models/llama',
      digest: `sha256:${HEX}`,
    });
    expect(parseReference(`ghcr.io/a/b:v2@sha256:${HEX}`)).toMatchObject({
      tag: 'v2',
      digest: `sha256:${HEX}`,
    });
  });

  it('reads host:port and localhost as a registry, defaulting the tag to latest', () => {
    expect(parseReference('localhost:5000/x')).toEqual({
      registry: 'localhost:5000',
      repository: 'x',
      tag: 'latest',
    });
    expect(parseReference('localhost/x:t')).toEqual({ registry: 'localhost', repository: 'x', tag: 't' });
    expect(parseReference('127.0.0.1:5000/a/b/c:1.0')).toMatchObject({
      registry: '127.0.0.1:5000',
      repository: 'a/b/c',
    });
    expect(parseReference('[::1]:5000/x:y')).toMatchObject({
      registry: '[::1]:5000',
      repository: 'x',
      tag: 'y',
    });
  });

  it('fills in docker.io and library/ as docker does', () => {
    expect(parseReference('ubuntu')).toEqual({
      registry: 'docker.io',
      repository: 'library/ubuntu',
      tag: 'latest',
    });
    expect(parseReference('user/model:v1')).toEqual({
      registry: 'docker.io',
      repository: 'user/model',
      tag: 'v1',
    });
    expect(parseReference('index.docker.io/library/ubuntu:22.04')).toMatchObject({ registry: 'docker.io' });
    expect(parseReference('docker.io/ubuntu').repository).toBe('library/ubuntu');
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('localhost:5000')).toBe('localhost:5000');
  });

  it('formats every part explicitly', () => {
    expect(formatReference(parseReference('ubuntu'))).toBe('docker.io/library/ubuntu:latest');
    expect(formatReference(parseReference(`a.io/b:c@sha256:${HEX}`))).toBe(`a.io/b:c@sha256:${HEX}`);
  });

  it.each([
    ['', 'OCI_BAD_REFERENCE'],
    ['reg.io/UPPER', 'OCI_BAD_REFERENCE'],
    ['reg.io/a//b', 'OCI_BAD_REFERENCE'],
    ['reg.io/a/b:', 'OCI_BAD_REFERENCE'],
    ['reg.io/a/b:-tag', 'OCI_BAD_REFERENCE'],
    [`reg.io/a:${'t'.repeat(129)}`, 'OCI_BAD_REFERENCE'],
    ['reg.io/a b', 'OCI_BAD_REFERENCE'],
    ['reg.io/a\nb', 'OCI_BAD_REFERENCE'],
    ['reg.io/mödel', 'OCI_BAD_REFERENCE'],
    ['https://reg.io/a', 'OCI_BAD_REFERENCE'],
    ['reg.io:99999/a', 'OCI_BAD_REFERENCE'],
    ['reg.io:0/a', 'OCI_BAD_REFERENCE'],
    ['-bad.io/a', 'OCI_BAD_REFERENCE'],
    ['[::1/a', 'OCI_BAD_REFERENCE'],
    [`reg.io/${'a/'.repeat(200)}a`, 'OCI_BAD_REFERENCE'],
    ['a'.repeat(5000), 'OCI_BAD_REFERENCE'],
    ['reg.io/a@sha256:abc', 'OCI_BAD_DIGEST'],
    [`reg.io/a@sha256:${HEX.toUpperCase()}`, 'OCI_BAD_DIGEST'],
    [`reg.io/a@sha512:${'a'.repeat(128)}`, 'OCI_DIGEST_UNSUPPORTED'],
    ['reg.io/a@', 'OCI_BAD_DIGEST'],
  ])('refuses case %# with its code', (input, expected) => {
    expect(code(() => parseReference(input))).toBe(expected);
  });

  it('keeps messages short for oversized input', () => {
    try {
      parseReference(`reg.io/${'x'.repeat(100_000)} `);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(300);
    }
  });
});

describe('digests and hosts', () => {
  it('validates digests and builds the referrers tag', () => {
    expect(parseDigest(`sha256:${HEX}`)).toBe(`sha256:${HEX}`);
    expect(referrersTag(`sha256:${HEX}`)).toBe(`sha256-${HEX}`);
    expect(code(() => referrersTag('sha256:zz'))).toBe('OCI_BAD_DIGEST');
  });

  it('knows loopback hosts and nothing else', () => {
    for (const h of [
      'localhost',
      'localhost:5000',
      '127.0.0.1',
      '127.0.0.1:1234',
      '127.9.9.9:1',
      '[::1]:5000',
    ]) {
      expect(isLoopbackRegistry(h), h).toBe(true);
    }
    for (const h of [
      'localhost.evil.com',
      '127.0.0.1.evil.com',
      '10.0.0.1:5000',
      'registry.example.com',
      '[::2]',
    ]) {
      expect(isLoopbackRegistry(h), h).toBe(false);
    }
  });
});
