import { createPublicKey, X509Certificate } from 'node:crypto';
import { resolvePredicateType } from '@modelseal/attest';
import { type InputCode, InputError, isRecord, sha256Hex } from '@modelseal/core';
import type { IdentityPolicy, TrustConfig } from '@modelseal/verify';
import { parseTrustedRoot } from '@modelseal/verify/roots';
import { RE2JS } from 're2js';
import { parseAdmission } from './admission.ts';
import { compileCondition } from './cel.ts';
import type { Authority, ModelPolicy, ParseOptions, Requirement } from './types.ts';

export const POLICY_API_VERSION = 'modelseal.dev/v1alpha1';
const KINDS = ['ModelPolicy', 'ClusterModelPolicy'] as const;
const SPEC_FIELDS = ['authorities', 'require', 'requireAttestedDependencies', 'mode', 'match', 'unpinned'];
const LIMITS = { authorities: 32, requirements: 32, conditions: 32, keys: 16, maxDepth: 10 };
const NAME_RE = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

/**
 * Validates a policy document (YAML/JSON already parsed, or a CRD object) into a frozen policy.
 * Typos fail loudly: in a security policy an ignored field is a silently weaker policy.
 */
export function parsePolicy(doc: unknown, source: string, options: ParseOptions): ModelPolicy {
  const bad = (code: InputCode, message: string): never => {
    throw new InputError({ code, message: `${source}: ${message}`, details: { source } });
  };
  if (!isRecord(doc)) return bad('POLICY_NOT_OBJECT', 'a policy must be a YAML/JSON object');
  const shape = measure(doc);
  if (shape.depth > 32 || shape.nodes > 100_000)
    bad(
      'POLICY_TOO_LARGE',
      `the policy nests ${shape.depth} levels / has ${shape.nodes} values (limits 32 / 100000)`,
    );
  if (doc['apiVersion'] !== POLICY_API_VERSION)
    bad(
      'POLICY_BAD_API_VERSION',
      `apiVersion must be ${POLICY_API_VERSION}, got ${JSON.stringify(doc['apiVersion'])}`,
    );
  const kind = doc['kind'];
  if (!KINDS.includes(kind as (typeof KINDS)[number]))
    bad('POLICY_BAD_KIND', `kind must be ModelPolicy or ClusterModelPolicy, got ${JSON.stringify(kind)}`);
  const meta = doc['metadata'];
  if (!isRecord(meta) || typeof meta['name'] !== 'string' || meta['name'] === '')
    bad('POLICY_NO_NAME', 'metadata.name is required');
  const m = meta as Record<string, unknown>;
  const spec = doc['spec'];
  if (!isRecord(spec)) return bad('POLICY_NO_SPEC', 'spec is required and must be an object');
  for (const k of Object.keys(spec)) {
    if (!SPEC_FIELDS.includes(k))
      bad('POLICY_UNKNOWN_FIELD', `spec.${k} is not a policy field (known: ${SPEC_FIELDS.join(', ')})`);
  }

  const authorities = parseAuthorities(spec['authorities'], bad, options);
  const names = new Set(authorities.map((a) => a.name));
  const requirements = parseRequirements(spec['require'], names, bad);
  const dep = spec['requireAttestedDependencies'];
  let requireAttestedDependencies: { maxDepth: number } | undefined;
  if (dep !== undefined && dep !== null && dep !== false) {
    const maxDepth = dep === true ? 3 : isRecord(dep) ? (dep['maxDepth'] ?? 3) : undefined;
    if (!Number.isInteger(maxDepth) || (maxDepth as number) < 1 || (maxDepth as number) > LIMITS.maxDepth)
      bad(
        'POLICY_BAD_DEPENDENCIES',
        `spec.requireAttestedDependencies must be true or { maxDepth: 1..${LIMITS.maxDepth} }`,
      );
    requireAttestedDependencies = Object.freeze({ maxDepth: maxDepth as number });
  }
  const name = m['name'] as string;
  const admission = parseAdmission(spec, name, source);
  return Object.freeze({
    kind: kind as ModelPolicy['kind'],
    name,
    ...(typeof m['namespace'] === 'string' ? { namespace: m['namespace'] } : {}),
    version: sha256Hex(canonicalJson({ kind, name, spec })),
    source,
    authorities,
    requirements,
    ...(requireAttestedDependencies ? { requireAttestedDependencies } : {}),
    admission,
  });
}

type Bad = (code: InputCode, message: string) => never;

function parseAuthorities(value: unknown, bad: Bad, options: ParseOptions): readonly Authority[] {
  if (!Array.isArray(value) || value.length === 0)
    bad('POLICY_NO_AUTHORITIES', 'spec.authorities must list at least one trusted signer');
  const list = value as unknown[];
  if (list.length > LIMITS.authorities)
    bad('POLICY_TOO_LARGE', `spec.authorities has over ${LIMITS.authorities} entries`);
  const seen = new Set<string>();
  return Object.freeze(
    list.map((a, i) => {
      const at = `spec.authorities[${i}]`;
      if (!isRecord(a)) return bad('POLICY_BAD_AUTHORITY', `${at} must be an object`);
      const name = a['name'];
      if (typeof name !== 'string' || !NAME_RE.test(name))
        bad('POLICY_BAD_AUTHORITY', `${at}.name must be a lowercase name like "release-key"`);
      if (seen.has(name as string)) bad('POLICY_DUPLICATE_AUTHORITY', `${at}.name "${name}" is used twice`);
      seen.add(name as string);
      const methods = ['key', 'keyless', 'certificate'].filter((k) => a[k] !== undefined);
      if (methods.length !== 1)
        bad('POLICY_BAD_AUTHORITY', `${at} must have exactly one of key, keyless, certificate`);
      for (const k of Object.keys(a)) {
        if (!['name', 'key', 'keyless', 'certificate'].includes(k))
          bad('POLICY_UNKNOWN_FIELD', `${at}.${k} is not an authority field`);
      }
      const method = methods[0] as 'key' | 'keyless' | 'certificate';
      const body = a[method];
      if (!isRecord(body)) return bad('POLICY_BAD_AUTHORITY', `${at}.${method} must be an object`);
      const { trust, identity } = parseTrust(method, body, `${at}.${method}`, bad, options);
      return Object.freeze({ name: name as string, trust, ...(identity ? { identity } : {}) });
    }),
  );
}

function parseTrust(
  method: 'key' | 'keyless' | 'certificate',
  body: Record<string, unknown>,
  at: string,
  bad: Bad,
  options: ParseOptions,
): { trust: TrustConfig; identity?: IdentityPolicy } {
  switch (method) {
    case 'key': {
      const keys = stringList(
        body['publicKeys'] ?? (body['publicKey'] !== undefined ? [body['publicKey']] : []),
      );
      if (!keys || keys.length === 0 || keys.length > LIMITS.keys)
        bad('POLICY_BAD_KEY', `${at}.publicKey must be a PEM public key (or publicKeys a list of 1..16)`);
      for (const pem of keys!) {
        try {
          createPublicKey(pem);
        } catch (e) {
          bad('POLICY_BAD_KEY', `${at}.publicKey is not a PEM public key: ${(e as Error).message}`);
        }
      }
      return { trust: Object.freeze({ kind: 'keys', publicKeys: Object.freeze(keys!) }) };
    }
    case 'certificate': {
      const roots = stringList(body['roots']);
      if (!roots || roots.length === 0 || roots.length > LIMITS.keys)
        bad('POLICY_BAD_CERTIFICATE', `${at}.roots must list 1..16 PEM CA certificates`);
      for (const pem of roots!) {
        try {
          new X509Certificate(pem);
        } catch (e) {
          bad(
            'POLICY_BAD_CERTIFICATE',
            `${at}.roots has an entry that is not a PEM certificate: ${(e as Error).message}`,
          );
        }
      }
      const identity = parseIdentity(body, at, false, bad);
      return {
        trust: Object.freeze({ kind: 'certificate-roots', rootCertificates: Object.freeze(roots!) }),
        ...(identity ? { identity } : {}),
      };
    }
    case 'keyless': {
      const identity = parseIdentity(body, at, true, bad);
      const root = body['trustedRoot'];
      if (root !== undefined && !isRecord(root))
        bad('POLICY_BAD_TRUSTED_ROOT', `${at}.trustedRoot must be a trusted_root.json object`);
      let trustedRoot = options.defaultTrustedRoot;
      if (root !== undefined) {
        try {
          trustedRoot = parseTrustedRoot(root, `${at}.trustedRoot`);
        } catch (e) {
          bad('POLICY_BAD_TRUSTED_ROOT', (e as Error).message);
        }
      }
      return {
        trust: Object.freeze({ kind: 'sigstore', trustedRoot }),
        ...(identity ? { identity } : {}),
      };
    }
  }
}

function parseIdentity(
  body: Record<string, unknown>,
  at: string,
  required: boolean,
  bad: Bad,
): IdentityPolicy | undefined {
  const known = [
    'roots',
    'trustedRoot',
    'issuer',
    'issuerRegexp',
    'identity',
    'identityRegexp',
    'subject',
    'subjectRegexp',
  ];
  for (const k of Object.keys(body))
    if (!known.includes(k)) bad('POLICY_UNKNOWN_FIELD', `${at}.${k} is not a field here`);
  const pick = (...keys: string[]): string | undefined => {
    for (const k of keys) {
      const v = body[k];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v === '' || v.length > 1024)
        bad('POLICY_BAD_IDENTITY', `${at}.${k} must be a non-empty string`);
      return v as string;
    }
    return undefined;
  };
  const identity: IdentityPolicy = {
    ...(pick('issuer') ? { issuer: pick('issuer') } : {}),
    ...(pick('issuerRegexp') ? { issuerRegexp: pick('issuerRegexp') } : {}),
    ...(pick('identity', 'subject') ? { identity: pick('identity', 'subject') } : {}),
    ...(pick('identityRegexp', 'subjectRegexp')
      ? { identityRegexp: pick('identityRegexp', 'subjectRegexp') }
      : {}),
  };
  for (const k of ['issuerRegexp', 'identityRegexp'] as const) {
    const re = identity[k];
    if (re === undefined) continue;
    try {
      // the verifier matches with RE2 (linear time, as cosign's Go regexp): validate the same syntax
      RE2JS.compile(re);
    } catch (e) {
      bad('POLICY_BAD_IDENTITY', `${at}.${k} is not a valid RE2 regular expression: ${(e as Error).message}`);
    }
  }
  const hasIssuer = identity.issuer !== undefined || identity.issuerRegexp !== undefined;
  const hasIdentity = identity.identity !== undefined || identity.identityRegexp !== undefined;
  if (required && !(hasIssuer && hasIdentity))
    bad(
      'POLICY_KEYLESS_IDENTITY_REQUIRED',
      `${at} needs issuer (or issuerRegexp) and identity (or identityRegexp): without them any Sigstore user could sign`,
    );
  return Object.keys(identity).length > 0 ? Object.freeze(identity) : undefined;
}

function parseRequirements(
  value: unknown,
  authorities: ReadonlySet<string>,
  bad: Bad,
): readonly Requirement[] {
  if (!Array.isArray(value) || value.length === 0)
    bad('POLICY_NO_REQUIREMENTS', 'spec.require must list at least one required attestation');
  const list = value as unknown[];
  if (list.length > LIMITS.requirements)
    bad('POLICY_TOO_LARGE', `spec.require has over ${LIMITS.requirements} entries`);
  return Object.freeze(
    list.map((r, i) => {
      const at = `spec.require[${i}]`;
      if (!isRecord(r)) return bad('POLICY_BAD_REQUIREMENT', `${at} must be an object`);
      for (const k of Object.keys(r)) {
        if (!['predicateType', 'authorities', 'conditions'].includes(k))
          bad(
            'POLICY_UNKNOWN_FIELD',
            `${at}.${k} is not a requirement field (predicateType, authorities, conditions)`,
          );
      }
      let predicateType = '';
      try {
        predicateType = resolvePredicateType(r['predicateType'] as string);
      } catch {
        bad('POLICY_BAD_REQUIREMENT', `${at}.predicateType must be a URI or one of slsa, dataset, oms`);
      }
      const names = r['authorities'] === undefined ? undefined : stringList(r['authorities']);
      if (names !== undefined) {
        if (names === null || names.length === 0)
          bad('POLICY_BAD_REQUIREMENT', `${at}.authorities must be a non-empty list of authority names`);
        for (const n of names!) {
          if (!authorities.has(n))
            bad(
              'POLICY_UNKNOWN_AUTHORITY',
              `${at}.authorities names "${n}", which spec.authorities does not define`,
            );
        }
      }
      const conds = r['conditions'] ?? [];
      if (!Array.isArray(conds) || conds.length > LIMITS.conditions)
        bad(
          'POLICY_BAD_REQUIREMENT',
          `${at}.conditions must be a list of at most ${LIMITS.conditions} CEL strings`,
        );
      const conditions = Object.freeze(
        (conds as unknown[]).map((c, j) => {
          try {
            return compileCondition(c, `${at}.conditions[${j}]`);
          } catch (e) {
            return bad((e as InputError).code, (e as InputError).message);
          }
        }),
      );
      return Object.freeze({
        predicateType,
        conditions,
        ...(names ? { authorities: Object.freeze([...names]) } : {}),
      });
    }),
  );
}

function stringList(v: unknown): string[] | null {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length < 65536))
    return null;
  return v as string[];
}

/** Sorted keys, no whitespace: two spellings of one policy share a version. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function measure(root: unknown): { depth: number; nodes: number } {
  let depth = 0;
  let nodes = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0 && nodes <= 100_000 && depth <= 32) {
    const [v, d] = stack.pop()!;
    nodes++;
    if (d > depth) depth = d;
    if (v !== null && typeof v === 'object') for (const c of Object.values(v)) stack.push([c, d + 1]);
  }
  return { depth, nodes };
}
