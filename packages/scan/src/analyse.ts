import { scanGzip, scanTar, scanZip } from './archives.ts';
import { isTar } from './containers/tar.ts';
import { type Ctx, type FormatName, report } from './context.ts';
import { Findings } from './findings.ts';
import { checkGguf, GGUF_MAGIC } from './formats/gguf.ts';
import { scanHdf5 } from './formats/hdf5-scan.ts';
import { checkJsonValue } from './formats/json-checks.ts';
import { isNpy, readNpyHeader } from './formats/npy.ts';
import { locationEscapes, walkOnnx } from './formats/onnx.ts';
import { topLevelFields } from './formats/protobuf.ts';
import { checkSafetensors, looksLikeSafetensors } from './formats/safetensors.ts';
import { isFingerprint } from './formats/savedmodel-extras.ts';
import { scanKerasMetadata, scanSavedModel, scanTfIndex } from './formats/savedmodel-scan.ts';
import { checkTemplate } from './formats/template.ts';
import { isTfTable } from './formats/tf-bundle.ts';
import { probeTextPickle, scanPickleStream, walkOne } from './pickle-file.ts';
import { Cursor, type ReadAt } from './reader.ts';

/**
 * Identifies a blob by its bytes (never its name) and runs the analyser for what it is. Returns the
 * format found; every reason to reject it is reported into ctx.
 */
export function analyseBlob(r: ReadAt, ctx: Ctx, where: string | undefined, depth: number): FormatName {
  if (r.size === 0) return 'empty';
  const head = r.read(0, Math.min(r.size, 512));
  // latin1, not TextDecoder('latin1'), which is windows-1252 and maps 0x80-0x9f elsewhere
  const ascii = Buffer.from(head.buffer, head.byteOffset, Math.min(8, head.byteLength)).toString('latin1');
  if (ascii.startsWith('PK\x03\x04') || ascii.startsWith('PK\x05\x06')) return scanZip(r, ctx, where, depth);
  if (isNpy(head)) return scanNpy(r, ctx, where);
  if (head.byteLength >= 4 && new DataView(head.buffer, head.byteOffset).getUint32(0, true) === GGUF_MAGIC) {
    return scanGguf(r, ctx, where);
  }
  if (ascii === '\x89HDF\r\n\x1a\n') return scanHdf5(r, ctx, where);
  if (ascii.startsWith('7z\xbc\xaf\x27\x1c')) {
    report(ctx, where, 'FORMAT_NOT_ANALYSED', '7z archives are not opened; the members cannot be checked');
    sniffPickles(r, ctx, where);
    return '7z';
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return scanGzip(r, ctx, where, depth);
  if (isTar(head)) return scanTar(r, ctx, where, depth);
  if (looksLikeSafetensors(head, r.size)) {
    checkSafetensors(r, (code, message) => report(ctx, where, code, message));
    return 'safetensors';
  }
  if (head[0] === 0x80 && head[1] !== undefined && head[1] < 16) {
    return scanPickleStream(r, ctx, where, { allowLegacy: true });
  }
  const asPickle = probeTextPickle(r, ctx, where);
  if (asPickle !== null) return asPickle;
  return scanOther(r, ctx, where);
}

const TEXT_MAX = 64 << 20;

function scanOther(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName {
  if (isTfTable(r)) return scanTfIndex(r, ctx, where);
  const proto = topLevelFields(r);
  if (proto !== null && proto.size > 0) {
    const only = (allowed: number[]) => [...proto.keys()].every((n) => allowed.includes(n));
    // SavedModel's fingerprint.pb: hashes only; checked before ONNX, whose field numbers it shares
    if (isFingerprint(r)) return 'tf-fingerprint';
    if (proto.get(7)?.has(2) && proto.get(1)?.has(0) && only([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25])) {
      return scanOnnx(r, ctx, where);
    }
    if (proto.get(2)?.has(2) && proto.get(1)?.has(0) && only([1, 2])) return scanSavedModel(r, ctx, where);
    if (only([1]) && proto.get(1)?.size === 1 && proto.get(1)?.has(2)) {
      const keras = scanKerasMetadata(r, ctx, where);
      if (keras !== null) return keras;
    }
    if (
      proto.get(1)?.has(2) &&
      only([1, 2, 3, 4, 5]) &&
      [...proto.values()].every((w) => w.size === 1 && w.has(2))
    ) {
      // sentencepiece ModelProto: pieces, trainer/normalizer specs; data only
      return 'sentencepiece';
    }
  }
  if (r.size > TEXT_MAX) {
    report(ctx, where, 'FORMAT_UNKNOWN', `unrecognised content of ${r.size} bytes`);
    return 'unknown';
  }
  const bytes = r.read(0, r.size);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = '';
  }
  if (text === '' || /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text)) {
    report(ctx, where, 'FORMAT_UNKNOWN', 'unrecognised binary content (no known magic bytes)');
    return 'unknown';
  }
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      if (e instanceof RangeError) {
        report(ctx, where, 'JSON_MALFORMED', 'JSON nests too deeply to parse');
        return 'json';
      }
      value = undefined;
    }
    if (value !== undefined) {
      const facts = checkJsonValue(value);
      for (const i of facts.issues) report(ctx, where, i.code, i.message);
      for (const t of facts.templates) templateFindings(ctx, where, t.key, t.text);
      return 'json';
    }
  }
  if (/^(\s*#[^\n]*\n)*\s*(saved_model_schema_version|meta_graphs)\s*[:{]/.test(body)) {
    // TensorFlow loads saved_model.pbtxt when there is no saved_model.pb: the same graphs, as text
    report(ctx, where, 'FORMAT_NOT_ANALYSED', 'a text-format SavedModel (saved_model.pbtxt) is not parsed');
    return 'tf-savedmodel';
  }
  if (body.includes('{{') || body.includes('{%')) templateFindings(ctx, where, 'template', body);
  return 'text';
}

export function templateFindings(ctx: Ctx, where: string | undefined, key: string, text: string): void {
  for (const issue of checkTemplate(text)) report(ctx, where, 'TEMPLATE_UNSAFE', `${key}: ${issue.message}`);
}

function scanNpy(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName {
  const h = readNpyHeader(r);
  if (!h.ok) {
    report(ctx, where, 'NPY_HEADER', `npy header: ${h.message}`);
    return 'numpy';
  }
  if (h.object) {
    scanPickleStream(r, ctx, where, { allowLegacy: false, start: h.dataOffset });
    return 'numpy';
  }
  if (h.dataBytes !== null && h.dataBytes !== BigInt(r.size - h.dataOffset)) {
    report(
      ctx,
      where,
      'NPY_SIZE',
      `the header describes ${h.dataBytes} data bytes; ${r.size - h.dataOffset} follow`,
    );
  }
  return 'numpy';
}

function scanGguf(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName {
  const res = checkGguf(r, (code, message) => report(ctx, where, code, message));
  for (const t of res?.templates ?? []) templateFindings(ctx, where, t.key, t.text);
  return 'gguf';
}

function scanOnnx(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName {
  const facts = walkOnnx(r);
  if (typeof facts === 'string') {
    report(ctx, where, 'ONNX_MALFORMED', `ONNX model: ${facts}`);
    return 'onnx';
  }
  const custom = new Map<string, Set<string>>();
  for (const n of facts.nodes) {
    if (ctx.profile.onnxDomains.has(n.domain) || facts.functionDomains.has(n.domain)) continue;
    const ops = custom.get(n.domain) ?? new Set<string>();
    ops.add(n.op);
    custom.set(n.domain, ops);
  }
  for (const [domain, ops] of custom) {
    report(
      ctx,
      where,
      'ONNX_CUSTOM_DOMAIN',
      `operators ${[...ops].slice(0, 5).join(', ')} of domain ${JSON.stringify(domain)} need a custom-op library`,
    );
  }
  for (const x of facts.external) {
    if (x.location === null || locationEscapes(x.location)) {
      report(
        ctx,
        where,
        'ONNX_EXTERNAL_DATA',
        `initializer ${JSON.stringify(x.tensor)} reads external data from ${JSON.stringify(x.location)}, outside the model directory`,
      );
    }
  }
  return 'onnx';
}

/** For formats we cannot open: name the imports of any pickle visible in the raw bytes, as evidence. */
function sniffPickles(r: ReadAt, ctx: Ctx, where: string | undefined): void {
  const bytes = r.read(0, Math.min(r.size, 64 << 20));
  let found = 0;
  for (let i = bytes.indexOf(0x80); i >= 0 && found < 8; i = bytes.indexOf(0x80, i + 1)) {
    if (bytes[i + 1]! < 2 || bytes[i + 1]! > 5) continue;
    const scratch = new Findings();
    const res = walkOne(ctx, undefined, new Cursor(r, i), scratch);
    if (res.globals.length === 0) continue;
    found++;
    for (const f of scratch.list) {
      if (f.global !== undefined)
        report(ctx, where, f.code, `raw pickle at byte ${i}: ${f.message}`, { global: f.global });
    }
  }
}
