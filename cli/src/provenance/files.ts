import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError, NotFoundError, parseJson, UsageError } from '@modelseal/core';
import { parse as parseYaml } from 'yaml';

const MAX_DOC_BYTES = 4 * 1024 * 1024;

/** Reads a user-named file with a size cap; FIFOs and directories are refused instead of hanging. */
export async function readSmallFile(
  path: string,
  what: string,
  maxBytes = MAX_DOC_BYTES,
): Promise<Uint8Array> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile())
      throw new UsageError({ code: 'NOT_A_FILE', message: `${what} ${path} is not a regular file` });
    if (st.size > maxBytes)
      throw new InputError({
        code: 'FILE_TOO_LARGE',
        message: `${what} ${path} is ${st.size} bytes, over the ${maxBytes}-byte limit`,
      });
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return new Uint8Array(buf.subarray(0, bytesRead));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new NotFoundError({ code: 'FILE_NOT_FOUND', message: `${what} ${path} does not exist` });
    if (code === 'EACCES' || code === 'EISDIR')
      throw new UsageError({
        code: 'FILE_UNREADABLE',
        message: `cannot read ${what} ${path}: ${(e as Error).message}`,
      });
    throw e;
  } finally {
    await fh?.close();
  }
}

/**
 * YAML or JSON (JSON is YAML). Aliases are capped (billion-laughs) and the result goes through the
 * same depth limit as any JSON we parse.
 */
export async function readDocument(path: string, what: string): Promise<unknown> {
  const bytes = await readSmallFile(path, what);
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '')
    throw new InputError({ code: 'DOCUMENT_EMPTY', message: `${what} ${path} is empty` });
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, strict: true });
  } catch (e) {
    throw new InputError({
      code: 'DOCUMENT_MALFORMED',
      message: `${what} ${path} is not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`,
    });
  }
  try {
    return parseJson(JSON.stringify(value) ?? 'null', `${what} ${path}`, {
      maxDepth: 32,
      maxBytes: MAX_DOC_BYTES * 4,
    });
  } catch (e) {
    if (e instanceof RangeError)
      throw new InputError({ code: 'JSON_TOO_DEEP', message: `${what} ${path} nests too deeply` });
    throw e;
  }
}
