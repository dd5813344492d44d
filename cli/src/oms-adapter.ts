/**
 * The OMS conformance adapter (the CLI protocol of the OpenSSF model-signing conformance suite):
 * `sign-model` and `verify-model` with the suite's flags, translated into the modelseal command
 * line, so the suite checks exactly what users run. Only the exit code matters to the suite.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from '@modelseal/core';

const COMMON = {
  method: { type: 'string' },
  'model-path': { type: 'string' },
  'ignore-paths': { type: 'string', multiple: true },
  'cert-chain': { type: 'string', multiple: true },
  'use-staging': { type: 'boolean' },
  output: { type: 'string' },
} as const;

const SIGN = {
  ...COMMON,
  'output-bundle': { type: 'string' },
  'private-key': { type: 'string' },
  'signing-cert': { type: 'string' },
  'identity-token': { type: 'string' },
} as const;

const VERIFY = {
  ...COMMON,
  bundle: { type: 'string' },
  'public-key': { type: 'string' },
  'ignore-unsigned-files': { type: 'boolean' },
  identity: { type: 'string' },
  'identity-provider': { type: 'string' },
} as const;

const METHODS = ['key', 'certificate', 'sigstore'];

/**
 * The suite passes no Sigstore instance, so keyless runs go to the public-good one. To run them
 * against another (a private or a local test Sigstore), these variables name its files.
 */
export interface AdapterEnv {
  /** signing_config.json for `sign-model --method sigstore` */
  readonly MODELSEAL_OMS_SIGNING_CONFIG?: string;
  /** trusted_root.json for `verify-model --method sigstore` */
  readonly MODELSEAL_OMS_TRUSTED_ROOT?: string;
}

/** The modelseal argv for one adapter invocation. */
export function adapterToCli(argv: readonly string[], env: AdapterEnv = {}): string[] {
  const [command, ...rest] = argv;
  switch (command) {
    case 'sign-model':
      return signArgs(parse(rest, SIGN, ['method', 'model-path', 'output-bundle']), env);
    case 'verify-model':
      return verifyArgs(parse(rest, VERIFY, ['method', 'model-path', 'bundle']), env);
    default:
      throw new UsageError({
        code: 'USAGE',
        message: `name a subcommand: sign-model or verify-model${command ? ` (got "${command}")` : ''}`,
      });
  }
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(args: string[], options: ParseArgsOptionsConfig, required: string[]): Values {
  let values: Values;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError({ code: 'USAGE', message: (e as Error).message });
  }
  for (const r of required) {
    if (values[r] === undefined) throw new UsageError({ code: 'USAGE', message: `--${r} is required` });
  }
  if (!METHODS.includes(String(values['method']))) {
    throw new UsageError({
      code: 'METHOD_UNKNOWN',
      message: `--method must be one of ${METHODS.join(', ')}, got "${String(values['method'])}"`,
    });
  }
  return values;
}

const one = (flag: string, v: unknown): string[] => (typeof v === 'string' ? [flag, v] : []);
const many = (flag: string, v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap((x) => [flag, String(x)]) : [];
const flag = (name: string, v: unknown): string[] => (v === true ? [name] : []);

/**
 * Without a method word on purpose: modelseal's own reading (a single file named by its basename,
 * as OMS v1.0 says); the method still decides which flags may be given.
 */
function signArgs(v: Values, env: AdapterEnv): string[] {
  const method = String(v['method']);
  const chain = [
    ...one('--signing-certificate', v['signing-cert']),
    ...many('--certificate-chain', v['cert-chain']),
  ];
  return [
    'sign',
    String(v['model-path']),
    '--bundle',
    String(v['output-bundle']),
    ...(method === 'sigstore' ? [] : one('--key', v['private-key'])),
    ...(method === 'certificate' ? chain : []),
    ...(method === 'sigstore' ? one('--identity-token', v['identity-token']) : []),
    ...(method === 'sigstore' ? one('--signing-config', env.MODELSEAL_OMS_SIGNING_CONFIG) : []),
    ...many('--ignore-paths', v['ignore-paths']),
    ...flag('--use-staging', v['use-staging']),
    ...one('--output', v['output']),
  ];
}

function verifyArgs(v: Values, env: AdapterEnv): string[] {
  const method = String(v['method']);
  return [
    'verify',
    method,
    String(v['model-path']),
    '--bundle',
    String(v['bundle']),
    ...one('--key', v['public-key']),
    ...many('--certificate-chain', v['cert-chain']),
    ...one('--certificate-identity', v['identity']),
    ...one('--certificate-oidc-issuer', v['identity-provider']),
    ...(method === 'sigstore' ? one('--trusted-root', env.MODELSEAL_OMS_TRUSTED_ROOT) : []),
    ...many('--ignore-paths', v['ignore-paths']),
    ...flag('--ignore-unsigned-files', v['ignore-unsigned-files']),
    ...flag('--use-staging', v['use-staging']),
    ...one('--output', v['output']),
  ];
}
