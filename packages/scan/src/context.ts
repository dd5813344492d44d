import type { Budget } from './containers/budget.ts';
import type { Finding, FindingCode, Findings } from './findings.ts';
import type { PickleLimits } from './pickle/analyse.ts';
import type { Profile } from './profile.ts';

/** What content identification settles on; `pytorch-zip` etc. are refined after a look inside. */
export type FormatName =
  | 'empty'
  | 'pickle'
  | 'pytorch-zip'
  | 'pytorch-legacy'
  | 'torchscript'
  | 'numpy'
  | 'numpy-npz'
  | 'safetensors'
  | 'gguf'
  | 'onnx'
  | 'keras'
  | 'hdf5'
  | 'tf-savedmodel'
  | 'tf-ckpt-index'
  | 'tf-fingerprint'
  | 'keras-metadata'
  | 'sentencepiece'
  | 'tensor-data'
  | 'zip'
  | 'tar'
  | 'gzip'
  | '7z'
  | 'json'
  | 'text'
  | 'unknown';

export interface MemberRecord {
  readonly path: string;
  readonly format: FormatName;
}

/** State shared by everything scanned inside one top-level file. */
export interface Ctx {
  readonly profile: Profile;
  readonly findings: Findings;
  readonly budget: Budget;
  readonly pickleLimits: PickleLimits | undefined;
  readonly globals: Set<string>;
  readonly members: MemberRecord[];
}

export const MAX_MEMBER_RECORDS = 10_000;

export function report(
  ctx: Ctx,
  where: string | undefined,
  code: FindingCode,
  message: string,
  extra?: Partial<Finding>,
): void {
  const member = extra?.member !== undefined ? join(where, extra.member) : where;
  ctx.findings.add({ ...extra, code, message, ...(member !== undefined ? { member } : {}) });
}

/** `outer.zip!inner/data.pkl`: one separator per archive level */
export const join = (where: string | undefined, name: string): string =>
  where === undefined ? name : `${where}!${name}`;

export function recordMember(ctx: Ctx, path: string, format: FormatName): void {
  if (ctx.members.length < MAX_MEMBER_RECORDS) ctx.members.push({ path, format });
}
