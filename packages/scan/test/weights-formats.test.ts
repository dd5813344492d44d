import { describe, expect, it } from 'vitest';
import { bytesReader, type FindingCode, type ReadAt, scanFile } from '../src/index.ts';
import { cat, gguf, safetensors, u64 } from './builders.ts';

const scan = (bytes: Uint8Array | ReadAt) => scanFile('m', 'read' in bytes ? bytes : bytesReader(bytes));
const codes = (bytes: Uint8Array | ReadAt): FindingCode[] => scan(bytes).findings.map((f) => f.code);

/** A reader that claims a huge size and serves zeros beyond what it holds: no allocation. */
const virtualFile = (prefix: Uint8Array, size: number): ReadAt => ({
  size,
  read: (offset, length) => {
    const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
    if (offset < prefix.byteLength) out.set(prefix.subarray(offset, offset + out.byteLength));
    return out;
  },
});

describe('safetensors', () => {
  const t = (name: string, dtype: string, shape: number[], begin: number, end: number) =>
    `"${name}":{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${begin},${end}]}`;

  it('accepts current dtypes (FP8, E8M0 scales, FP4 and FP6) with exact sizes', () => {
    const header = `{"__metadata__":{"format":"pt"},${t('a', 'F8_E8M0', [4], 0, 4)},${t('b', 'F4', [4], 4, 6)},${t('c', 'F6_E2M3', [4], 6, 9)},${t('d', 'BF16', [2], 9, 13)},${t('e', 'F8_E4M3', [3], 13, 16)}}`;
    const r = scan(safetensors(header, 16));
    expect(r.findings).toEqual([]);
    expect(r.format).toBe('safetensors');
  });

  it('a header claiming 100 GB is refused before anything is read', () => {
    const r = scan(virtualFile(cat(u64(100e9), '{'), 200e9));
    expect(r.findings.map((f) => f.code)).toEqual(['SAFETENSORS_HEADER_TOO_LARGE']);
    expect(r.bytesRead).toBeLessThan(1024);
  });

  it('a tensor claiming 100 GB of a small file is out of bounds', () => {
    expect(codes(safetensors(`{${t('w', 'U8', [100e9], 0, 100e9)}}`, 8))).toEqual(['SAFETENSORS_OFFSETS']);
  });

  it('a 4 GiB file costs its header only', () => {
    const header = `{${t('w', 'F32', [1 << 30], 0, 4 * 2 ** 30)}}`;
    const head = safetensors(header, 0);
    const r = scan(virtualFile(head, head.byteLength + 4 * 2 ** 30));
    expect(r.findings).toEqual([]);
    expect(r.bytesRead).toBeLessThan(head.byteLength + 1024);
  });

  it.each([
    [
      'duplicate keys (JSON.parse would keep the last)',
      `{${t('w', 'U8', [1], 0, 1)},${t('w', 'U8', [1], 0, 1)}}`,
      1,
      'SAFETENSORS_DUPLICATE_KEY',
    ],
    ['an unknown dtype', `{${t('w', 'Q4', [2], 0, 1)}}`, 1, 'SAFETENSORS_DTYPE_UNKNOWN'],
    ['shape x dtype not the byte count', `{${t('w', 'F32', [2], 0, 4)}}`, 4, 'SAFETENSORS_SHAPE_MISMATCH'],
    [
      'overlapping tensors',
      `{${t('a', 'U8', [4], 0, 4)},${t('b', 'U8', [4], 2, 6)}}`,
      6,
      'SAFETENSORS_OFFSETS',
    ],
    [
      'a gap between tensors',
      `{${t('a', 'U8', [2], 0, 2)},${t('b', 'U8', [2], 3, 5)}}`,
      5,
      'SAFETENSORS_OFFSETS',
    ],
    ['bytes after the last tensor', `{${t('a', 'U8', [2], 0, 2)}}`, 3, 'SAFETENSORS_TRAILING_DATA'],
    [
      'unknown fields',
      `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}`,
      1,
      'SAFETENSORS_HEADER',
    ],
    ['non-string metadata', `{"__metadata__":{"a":1}}`, 0, 'SAFETENSORS_HEADER'],
    ['malformed JSON', `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}`, 1, 'SAFETENSORS_HEADER'],
  ])('%s is a coded failure', (_, header, data, code) => {
    expect(codes(safetensors(header, data))).toContain(code);
  });

  it('a truncated file fails', () => {
    const full = safetensors(`{${t('a', 'U8', [64], 0, 64)}}`, 64);
    expect(codes(full.subarray(0, full.byteLength - 10))).toEqual(['SAFETENSORS_OFFSETS']);
    expect(codes(full.subarray(0, 20))).not.toEqual([]);
  });
});

describe('GGUF', () => {
  const benign = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}";

  it('a valid header with a benign chat template passes', () => {
    const g = gguf({
      meta: [
        ['general.architecture', 'str', 'llama'],
        ['tokenizer.chat_template', 'str', benign],
      ],
      tensors: [
        { name: 'tok.weight', dims: [32, 2], type: 8, offset: 0 },
        { name: 'out.weight', dims: [4], type: 0, offset: 96 },
      ],
      data: 96 + 16 + 16,
    });
    const r = scan(g);
    expect(r.findings).toEqual([]);
    expect(r.format).toBe('gguf');
  });

  it('a chat template that climbs to __globals__ is flagged', () => {
    const ssti = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
    const c = codes(gguf({ meta: [['tokenizer.chat_template', 'str', ssti]] }));
    expect(c.length).toBeGreaterThan(0);
    expect(new Set(c)).toEqual(new Set(['TEMPLATE_UNSAFE']));
  });

  it.each([
    [
      'an unknown ggml type',
      { tensors: [{ name: 'w', dims: [4], type: 99, offset: 0 }], data: 32 },
      'GGUF_TENSOR_TYPE_UNKNOWN',
    ],
    [
      'a tensor past the end',
      { tensors: [{ name: 'w', dims: [1024], type: 0, offset: 0 }], data: 32 },
      'GGUF_OFFSETS',
    ],
    [
      'overlapping tensors',
      {
        tensors: [
          { name: 'a', dims: [16], type: 0, offset: 0 },
          { name: 'b', dims: [16], type: 0, offset: 32 },
        ],
        data: 128,
      },
      'GGUF_OFFSETS',
    ],
    [
      'a misaligned offset',
      { tensors: [{ name: 'w', dims: [4], type: 0, offset: 4 }], data: 64 },
      'GGUF_OFFSETS',
    ],
    [
      'a block type whose row does not divide',
      { tensors: [{ name: 'w', dims: [33], type: 8, offset: 0 }], data: 64 },
      'GGUF_HEADER',
    ],
    [
      'bytes after the last tensor',
      { tensors: [{ name: 'w', dims: [8], type: 0, offset: 0 }], data: 96 },
      'GGUF_TRAILING_DATA',
    ],
    [
      'a duplicate key',
      {
        meta: [
          ['a', 'u32', 1],
          ['a', 'u32', 2],
        ] as [string, 'u32', number][],
      },
      'GGUF_DUPLICATE_KEY',
    ],
  ])('%s is a coded failure', (_, opts, code) => {
    expect(codes(gguf(opts))).toContain(code);
  });

  it('a header claiming 10^12 tensors or truncated mid-string fails without allocating', () => {
    expect(codes(cat('GGUF', [3, 0, 0, 0], u64(1e12), u64(0)))).toEqual(['GGUF_LIMIT']);
    expect(codes(cat('GGUF', [3, 0, 0, 0], u64(0), u64(1), u64(2 ** 40), 'ab'))).toEqual(['GGUF_LIMIT']);
    expect(codes(cat('GGUF', [3, 0, 0, 0], u64(0), u64(1), u64(100), 'ab'))).toEqual(['GGUF_HEADER']);
  });
});
