import { InputError, NotFoundError, parseJson, UsageError } from '@modelseal/core';
import { parse as parseYaml } from 'yaml';
import { fileError, readRegularFile } from './files.ts';

const MAX_DOC_BYTES = 4 * 1024 * 1024;

/** Reads a user-named file with a size cap (see readRegularFile). */
export async function readSmallFile(
  path: string,
  what: string,
  maxBytes = MAX_DOC_BYTES,
): Promise<Uint8Array> {
  try {
    return readRegularFile(path, what, maxBytes);
  } catch (e) {
    throw fileError(
      e,
      () => new NotFoundError({ code: 'FILE_NOT_FOUND', message: `${what} ${path} does not exist` }),
      (m) => new UsageError({ code: 'FILE_UNREADABLE', message: `cannot read ${what} ${path}: ${m}` }),
    );
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
