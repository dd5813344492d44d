/** Model files for scan tests, written from their formats' specifications; nothing here is ever loaded. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A pickle that runs `os.system("id")` when loaded, written opcode by opcode (protocol 2):
 * PROTO 2, GLOBAL "os\nsystem\n", BINUNICODE "id", TUPLE1, REDUCE, STOP. Only ever scanned.
 */
export function osSystemPickle(): Buffer {
  return Buffer.concat([
    Buffer.from([0x80, 0x02]),
    Buffer.from('cos\nsystem\n', 'latin1'),
    Buffer.from([0x58, 0x02, 0x00, 0x00, 0x00]),
    Buffer.from('id', 'latin1'),
    Buffer.from([0x85, 0x52, 0x2e]),
  ]);
}

/** One F32 tensor of two elements: a u64 header length, the JSON header, 8 data bytes. */
export function safetensors(): Buffer {
  const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, Buffer.from(header), Buffer.alloc(8)]);
}

/** A small model directory; its config names it, because the OMS digest covers content only. */
export function writeModel(dir: string, name: string): string {
  const m = join(dir, name);
  mkdirSync(m);
  writeFileSync(join(m, 'model.safetensors'), safetensors());
  writeFileSync(join(m, 'config.json'), `${JSON.stringify({ architectures: ['Llama'], name })}\n`);
  return m;
}
