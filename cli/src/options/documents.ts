import { InputError, parseJson } from '@modelseal/core';
import { parse as parseYaml } from 'yaml';
import { FILE_LIMITS, readUserBytes } from './files.ts';

const MAX_DOC_BYTES = FILE_LIMITS.document;

/**
 * YAML or JSON (JSON is YAML). Aliases are capped (billion-laughs) and the result goes through the
 * same depth limit as any JSON we parse.
 */
export async function readDocument(path: string, what: string, flag: string): Promise<unknown> {
  const bytes = readUserBytes({ path, what, flag, maxBytes: MAX_DOC_BYTES });
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
