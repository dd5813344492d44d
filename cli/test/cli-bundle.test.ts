import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type BundleInputs, freshBundle } from '../src/cli-bundle.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

afterAll(cleanup);

/** a made-up bundle: three source files, `digest` loading the first two */
function fakeBundle(): { dir: string; inputs: URL; main: URL; files: string[] } {
  const dir = tempDir();
  const files = ['a.ts', 'b.ts', 'c.ts'].map((f) => join(dir, f));
  for (const f of files) writeFileSync(f, `// ${f}`);
  writeFileSync(join(dir, 'main.js'), 'export const main = () => 0;');
  const made: BundleInputs = {
    files: files.map((f) => [f, statSync(f).size, statSync(f).mtimeMs] as const),
    all: [0, 1, 2],
    commands: { digest: [0, 1] },
  };
  writeFileSync(join(dir, 'inputs.json'), JSON.stringify(made));
  return {
    dir,
    inputs: pathToFileURL(join(dir, 'inputs.json')),
    main: pathToFileURL(join(dir, 'main.js')),
    files,
  };
}

describe('the CLI bundle serves only while the sources it was made from are unchanged', () => {
  it('unchanged: the bundle serves every command', () => {
    const b = fakeBundle();
    expect(freshBundle('digest', b.inputs, b.main)?.href).toBe(b.main.href);
    expect(freshBundle(undefined, b.inputs, b.main)?.href).toBe(b.main.href);
  });

  it('a file edited in place (same size, new mtime), resized, or removed: the sources serve', () => {
    const touched = fakeBundle();
    utimesSync(touched.files[0]!, new Date(), new Date(Date.now() + 5000));
    expect(freshBundle('digest', touched.inputs, touched.main)).toBeUndefined();
    const resized = fakeBundle();
    const st = statSync(resized.files[1]!);
    writeFileSync(resized.files[1]!, '// longer than it was');
    utimesSync(resized.files[1]!, st.atime, st.mtime); // mtime put back: the size still tells
    expect(freshBundle('digest', resized.inputs, resized.main)).toBeUndefined();
    const removed = fakeBundle();
    rmSync(removed.files[0]!);
    expect(freshBundle('digest', removed.inputs, removed.main)).toBeUndefined();
  });

  it('a command checks the files its run can load; a word that names no command checks all', () => {
    const b = fakeBundle();
    utimesSync(b.files[2]!, new Date(), new Date(Date.now() + 5000));
    expect(freshBundle('digest', b.inputs, b.main)).toBeDefined();
    expect(freshBundle('sign', b.inputs, b.main)).toBeUndefined();
    expect(freshBundle(undefined, b.inputs, b.main)).toBeUndefined();
    expect(freshBundle('__proto__', b.inputs, b.main)).toBeUndefined();
  });

  it.each([
    ['no inputs.json', null],
    ['inputs.json that is not JSON', '{"files": ['],
    ['inputs.json of the wrong shape', '[1, 2, 3]'],
    ['no commands', '{"files": [], "all": []}'],
    ['an index past the files', '{"files": [], "all": [4], "commands": {}}'],
    ['an entry that is not a path', '{"files": [[1, 2, 3]], "all": [0], "commands": {}}'],
    ['nothing listed', '{"files": [], "all": [], "commands": {}}'],
  ])('%s: the sources serve', (_, text) => {
    const dir = tempDir();
    if (text !== null) writeFileSync(join(dir, 'inputs.json'), text);
    writeFileSync(join(dir, 'main.js'), '');
    expect(
      freshBundle(undefined, pathToFileURL(join(dir, 'inputs.json')), pathToFileURL(join(dir, 'main.js'))),
    ).toBeUndefined();
  });

  it('no main.js beside a fresh inputs.json: the sources serve', () => {
    const b = fakeBundle();
    mkdirSync(join(b.dir, 'gone'));
    expect(freshBundle('digest', b.inputs, pathToFileURL(join(b.dir, 'gone', 'main.js')))).toBeUndefined();
  });
});

describe('the bundle pnpm install writes', () => {
  const script = fileURLToPath(new URL('../scripts/bundle-cli.ts', import.meta.url));
  const stats = (stderr: string) =>
    JSON.parse(stderr.split('\n').find((l) => l.startsWith('{"stats"'))!).stats;

  it('serves the CLI, with the output the sources give', () => {
    // what `pnpm install` ran; made again if a source changed since (as `pnpm bench` does)
    if (!freshBundle('digest')) expect(spawnSync(process.execPath, [script]).status).toBe(0);
    const model = tempDir();
    mkdirSync(join(model, 'sub'));
    writeFileSync(join(model, 'w.bin'), 'weights');
    writeFileSync(join(model, 'sub', 'config.json'), '{}');
    const bundled = cli(['digest', model, '--output', 'json', '--stats']);
    const sources = cli(['digest', model, '--output', 'json', '--stats'], { MODELSEAL_CLI_BUNDLE: 'off' });
    expect(bundled.status).toBe(0);
    expect(stats(bundled.stderr).cli).toBe('bundle');
    expect(stats(sources.stderr).cli).toBe('sources');
    expect(bundled.stdout).toBe(sources.stdout);
    // an error goes through the same codes and exit table
    const missing = cli(['digest', join(model, 'nothing'), '--output', 'json']);
    expect(missing.status).toBe(
      cli(['digest', join(model, 'nothing')], { MODELSEAL_CLI_BUNDLE: 'off' }).status,
    );
    expect(JSON.parse(missing.stdout).error.code).toBe('MODEL_NOT_FOUND');
  });

  it('bin/modelseal, the documented entry point, runs it with the young generation sized up front', () => {
    if (!freshBundle('digest')) expect(spawnSync(process.execPath, [script]).status).toBe(0);
    const model = tempDir();
    writeFileSync(join(model, 'w.bin'), 'weights');
    const entry = fileURLToPath(new URL('../../bin/modelseal', import.meta.url));
    const r = spawnSync(entry, ['digest', model, '--output', 'json', '--stats'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(stats(r.stderr)).toMatchObject({ cli: 'bundle', nodeFlags: ['--min-semi-space-size=32'] });
    expect(r.stdout).toBe(cli(['digest', model, '--output', 'json']).stdout);
  });
});
