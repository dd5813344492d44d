import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadYargs, YARGS_BUNDLE } from '../src/yargs-bundle.ts';
import { cleanup, tempDir } from './helpers.ts';

afterAll(cleanup);

/** The message yargs gives for an unknown option, in a locale, with the yargs that `load` gives. */
async function unknownOption(load: ReturnType<typeof loadYargs>, locale: string): Promise<string> {
  const { yargs } = await load;
  let message = '';
  await yargs(['--nope'])
    .locale(locale)
    .option('real', { type: 'boolean' })
    .strict()
    .fail((msg) => {
      message = msg;
    })
    .parseAsync();
  return message;
}

describe('yargs as one file (written by pnpm install)', () => {
  it('exists after install and is the one the CLI loads', async () => {
    expect(existsSync(YARGS_BUNDLE)).toBe(true);
    expect((await loadYargs()).bundled).toBe(true);
  });

  it('gives the same messages as the package, translations included', async () => {
    const missing = pathToFileURL(join(tempDir(), 'none.mjs'));
    for (const locale of ['en', 'de', 'fr']) {
      const bundled = await unknownOption(loadYargs(), locale);
      const pkg = await unknownOption(loadYargs(missing), locale);
      expect(bundled).toBe(pkg);
      expect(bundled).toContain('nope');
    }
    // proves the locale files were found at all: German is not the English text
    expect(await unknownOption(loadYargs(), 'de')).not.toBe(await unknownOption(loadYargs(), 'en'));
  });

  it('is not used when turned off, missing, broken, or built from another yargs', async () => {
    const dir = tempDir();
    const stale = join(dir, 'stale.mjs');
    writeFileSync(
      stale,
      "export default () => { throw new Error('stale'); }; export const hideBin = (a) => a; export const source = 'file:///elsewhere/yargs/index.mjs';",
    );
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export default {;');
    for (const bundle of [null, ...[join(dir, 'none.mjs'), stale, broken].map((f) => pathToFileURL(f))]) {
      const y = await loadYargs(bundle);
      expect(y.bundled).toBe(false);
      expect(y.hideBin(['node', 'bin', 'digest'])).toEqual(['digest']);
      expect(await unknownOption(Promise.resolve(y), 'en')).toContain('nope');
    }
  });
});
