import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { codeOf } from '../../../test/codes.ts';
import { parseKubeconfig } from '../src/kubeconfig.ts';

const config = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
  stringify({
    clusters: [
      { name: 'a', cluster: { server: 'https://a.example:6443/', ...cluster } },
      { name: 'b', cluster: { server: 'https://b.example' } },
    ],
    users: [{ name: 'u', user }],
    contexts: [
      { name: 'one', context: { cluster: 'a', user: 'u', namespace: 'ml' } },
      { name: 'two', context: { cluster: 'b', user: 'u' } },
    ],
    'current-context': 'one',
  });

describe('parseKubeconfig', () => {
  it('takes the current context, or the named one, with its cluster, user and namespace', () => {
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\n');
    const c = parseKubeconfig(
      config({ token: 't' }, { 'certificate-authority-data': ca.toString('base64') }),
      'k',
    );
    expect(c).toMatchObject({
      context: 'one',
      server: 'https://a.example:6443',
      namespace: 'ml',
      token: 't',
    });
    expect(c.ca).toEqual({ data: ca });
    expect(c.insecureSkipTlsVerify).toBe(false);
    expect(parseKubeconfig(config({ tokenFile: 'tok' }), 'k', 'two')).toMatchObject({
      server: 'https://b.example',
      tokenFile: 'tok',
    });
  });

  it('keeps client certificate files and exec plugins as given', () => {
    const c = parseKubeconfig(
      config({
        'client-certificate': 'c.crt',
        'client-key': 'c.key',
        exec: { command: 'aws', args: ['eks'] },
      }),
      'k',
    );
    expect(c.clientCertificate).toEqual({ file: 'c.crt' });
    expect(c.clientKey).toEqual({ file: 'c.key' });
    expect(c.exec).toEqual({
      command: 'aws',
      args: ['eks'],
      env: [],
      apiVersion: 'client.authentication.k8s.io/v1',
    });
  });

  it('refuses what it cannot use, with KUBECONFIG_INVALID and a reason', () => {
    const cases: [string, string | undefined, RegExp][] = [
      ['key: [unclosed', undefined, /not valid YAML/],
      ['- a list', undefined, /no top-level mapping/],
      [config({}), 'three', /no context named "three"/],
      [stringify({ contexts: [] }), undefined, /no current-context/],
      [config({ username: 'a', password: 'b' }), undefined, /basic authentication/],
      [config({ 'auth-provider': { name: 'gcp' } }), undefined, /auth-provider/],
      [config({ 'client-certificate': 'c.crt' }), undefined, /needs its key/],
      [config({}, { server: 'a.example' }), undefined, /http\(s\) server/],
      [config({}, { 'certificate-authority-data': '%%%' }), undefined, /not base64/],
      [config({ exec: {} }), undefined, /exec needs a command/],
    ];
    for (const [text, ctx, why] of cases) {
      expect(
        codeOf(() => parseKubeconfig(text, 'k', ctx)),
        text,
      ).toBe('KUBECONFIG_INVALID');
      expect(() => parseKubeconfig(text, 'k', ctx)).toThrow(why);
    }
  });
});
