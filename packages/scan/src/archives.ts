import { analyseBlob } from './analyse.ts';
import { openGzip, openZipMember } from './containers/extract.ts';
import { listTar, TarError } from './containers/tar.ts';
import { readZipDirectory, type ZipEntry, ZipError } from './containers/zip.ts';
import { type Ctx, type FormatName, join, recordMember, report } from './context.ts';
import { scanPickleStream } from './pickle-file.ts';
import { type ReadAt, sliceReader, Truncated } from './reader.ts';

/**
 * Archives are opened and every member is identified by content and analysed, down to the depth,
 * entry and expansion bounds of the budget. Two zip layouts are read the way their loader reads them:
 * a PyTorch checkpoint (`<prefix>/data.pkl` plus raw storages under `<prefix>/data/`, which torch
 * never unpickles) and a Keras 3 `.keras` file (config.json, metadata.json, model.weights.h5).
 */

function enter(ctx: Ctx, where: string | undefined, depth: number): boolean {
  if (depth + 1 > ctx.budget.limits.maxDepth) {
    report(ctx, where, 'ARCHIVE_TOO_DEEP', `archives nest deeper than ${ctx.budget.limits.maxDepth} levels`);
    return false;
  }
  return true;
}

function countEntries(ctx: Ctx, where: string | undefined, n: number): boolean {
  ctx.budget.entries += n;
  if (ctx.budget.entries > ctx.budget.limits.maxEntries) {
    report(
      ctx,
      where,
      'ZIP_TOO_MANY_ENTRIES',
      `more than ${ctx.budget.limits.maxEntries} archive members in all`,
    );
    return false;
  }
  return true;
}

export function scanZip(r: ReadAt, ctx: Ctx, where: string | undefined, depth: number): FormatName {
  if (!enter(ctx, where, depth)) return 'zip';
  let dir: ReturnType<typeof readZipDirectory>;
  try {
    dir = readZipDirectory(r, ctx.budget.limits.maxEntries);
  } catch (e) {
    if (e instanceof ZipError || e instanceof Truncated) {
      const code = /more than \d+ entries/.test(e.message) ? 'ZIP_TOO_MANY_ENTRIES' : 'ZIP_MALFORMED';
      report(ctx, where, code, `zip: ${e.message}`);
      return 'zip';
    }
    throw e;
  }
  for (const p of dir.problems) report(ctx, where, p.code, p.message, p.member ? { member: p.member } : {});
  if (!countEntries(ctx, where, dir.entries.length)) return 'zip';
  const files = dir.entries.filter((e) => !e.name.endsWith('/'));
  const layout = zipLayout(files);
  for (const e of files) {
    const path = join(where, e.name);
    const role = layout.roleOf(e.name);
    if (role === 'storage') {
      recordMember(ctx, path, 'tensor-data');
      continue;
    }
    const opened = openZipMember(r, e, ctx.budget);
    if (!opened.ok) {
      report(ctx, path, opened.code, opened.message);
      continue;
    }
    if (opened.crc === 'mismatch')
      report(ctx, path, 'ZIP_CRC_MISMATCH', `entry ${e.name} does not match its CRC-32`);
    const format =
      role === 'torch-pickle'
        ? scanPickleStream(opened.reader, ctx, path, { allowLegacy: false })
        : analyseBlob(opened.reader, ctx, path, depth + 1);
    recordMember(ctx, path, format);
  }
  if (layout.kind === 'torchscript') {
    report(
      ctx,
      where,
      'TORCHSCRIPT_CODE',
      'TorchScript archive: its code/ is compiled and run by torch.jit.load',
    );
  }
  return layout.kind;
}

type Role = 'torch-pickle' | 'storage' | 'member';

function zipLayout(files: readonly ZipEntry[]): { kind: FormatName; roleOf(name: string): Role } {
  const prefixes = new Set(files.map((e) => e.name.split('/')[0]!));
  const [prefix] = prefixes;
  const names = new Set(files.map((e) => e.name));
  if (prefixes.size === 1 && prefix !== undefined && names.has(`${prefix}/data.pkl`)) {
    const p = `${prefix}/`;
    const torchscript = files.some((e) => e.name.startsWith(`${p}code/`) || e.name === `${p}constants.pkl`);
    return {
      kind: torchscript ? 'torchscript' : 'pytorch-zip',
      roleOf: (name) => {
        const rest = name.slice(p.length);
        if (rest === 'data.pkl' || (torchscript && rest === 'constants.pkl')) return 'torch-pickle';
        if (rest.startsWith('data/') && !rest.slice(5).includes('/')) return 'storage';
        return 'member';
      },
    };
  }
  if (names.has('config.json') && names.has('metadata.json')) {
    return { kind: 'keras', roleOf: () => 'member' };
  }
  const npz = files.length > 0 && files.every((e) => e.name.endsWith('.npy'));
  return { kind: npz ? 'numpy-npz' : 'zip', roleOf: () => 'member' };
}

export function scanTar(r: ReadAt, ctx: Ctx, where: string | undefined, depth: number): FormatName {
  if (!enter(ctx, where, depth)) return 'tar';
  let listing: ReturnType<typeof listTar>;
  try {
    listing = listTar(r, ctx.budget.limits.maxEntries);
  } catch (e) {
    if (e instanceof TarError || e instanceof Truncated) {
      report(ctx, where, 'TAR_MALFORMED', `tar: ${e.message}`);
      return 'tar';
    }
    throw e;
  }
  for (const l of listing.links)
    report(ctx, where, 'ARCHIVE_BAD_NAME', `link entry ${JSON.stringify(l)}`, { member: l });
  if (!countEntries(ctx, where, listing.members.length)) return 'tar';
  for (const m of listing.members) {
    const path = join(where, m.name);
    if (m.name.startsWith('/') || m.name.split('/').includes('..')) {
      report(ctx, path, 'ARCHIVE_BAD_NAME', `member name ${JSON.stringify(m.name)} leaves the archive`);
    }
    recordMember(ctx, path, analyseBlob(sliceReader(r, m.offset, m.size), ctx, path, depth + 1));
  }
  return 'tar';
}

export function scanGzip(r: ReadAt, ctx: Ctx, where: string | undefined, depth: number): FormatName {
  if (!enter(ctx, where, depth)) return 'gzip';
  const opened = openGzip(r, ctx.budget);
  if (!opened.ok) {
    report(ctx, where, opened.code, opened.message);
    return 'gzip';
  }
  const path = join(where, '(gunzipped)');
  recordMember(ctx, path, analyseBlob(opened.reader, ctx, path, depth + 1));
  return 'gzip';
}
