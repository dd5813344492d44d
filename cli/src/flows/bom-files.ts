/**
 * The few bytes `bom` reads from a model directory: each file's head (format by magic bytes) and
 * the model card (config.json, README front matter). Only files the manifest lists are read, so a
 * card comes from the same bytes the signature covers. Unreadable cards are notes, never failures.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import {
  detectFormat,
  type FileFormat,
  FORMAT_HEAD_BYTES,
  frontMatterOf,
  type ModelCardSources,
} from '@modelseal/bom';
import { parseJson } from '@modelseal/core';
import { FILE_LIMITS, readUserBytes } from '@modelseal/input';
import { parse as parseYaml } from 'yaml';

const README_MAX = 1 << 20;

const filePath = (model: string, file: string) => (file === '.' ? model : join(model, file));

/** file name -> format, for the manifest's files; a file that vanished or is not regular is skipped. */
export function readFormats(model: string, files: readonly string[]): Map<string, FileFormat> {
  const formats = new Map<string, FileFormat>();
  const head = new Uint8Array(FORMAT_HEAD_BYTES);
  for (const file of files) {
    let fd: number | undefined;
    try {
      // O_NONBLOCK: a FIFO swapped in after hashing must not hang the command
      fd = openSync(filePath(model, file), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      const st = fstatSync(fd);
      if (!st.isFile()) continue;
      const n = readSync(fd, head, 0, FORMAT_HEAD_BYTES, 0);
      formats.set(file, detectFormat(head.subarray(0, n), st.size));
    } catch {
      // changed since it was hashed: the BOM says nothing about its format
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return formats;
}

/** config.json and README.md front matter, parsed, when the manifest lists them at the root. */
export function readCardSources(
  model: string,
  files: ReadonlySet<string>,
  notes: string[],
): ModelCardSources {
  const read = (name: string, maxBytes: number): string | undefined => {
    if (!files.has(name)) return undefined;
    try {
      const bytes = readUserBytes({ path: join(model, name), what: 'model card', flag: '<path>', maxBytes });
      return new TextDecoder().decode(bytes);
    } catch (e) {
      notes.push(`${name} not read: ${(e as Error).message}`);
      return undefined;
    }
  };
  const out: { config?: unknown; frontMatter?: unknown } = {};
  const config = read('config.json', FILE_LIMITS.document);
  if (config !== undefined) {
    try {
      out.config = parseJson(config, 'config.json', { maxDepth: 32, maxBytes: FILE_LIMITS.document });
    } catch (e) {
      notes.push(`config.json ignored: ${(e as Error).message}`);
    }
  }
  const front = frontMatterOf(read('README.md', README_MAX) ?? '');
  if (front !== undefined) {
    try {
      out.frontMatter = parseYaml(front, { maxAliasCount: 100, uniqueKeys: false });
    } catch (e) {
      notes.push(`README.md front matter ignored: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}
