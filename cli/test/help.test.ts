/**
 * Every command's --help, walked as a user would from `modelseal --help`: each shows examples and
 * offers --output json; exit-codes and completion answer in JSON too; the completion script asks
 * the CLI for its words.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

function commands(): string[] {
  const help = cli(['--help']).stdout;
  const section = help.slice(help.indexOf('Commands:'), help.indexOf('Options:'));
  return [...section.matchAll(/^\s+modelseal ([a-z-]+)/gm)].map((m) => m[1] ?? '');
}

describe('--help of every command', () => {
  const all = commands();
  it('lists the commands, completion included', () => {
    expect(all).toEqual(expect.arrayContaining(['sign', 'verify', 'exit-codes', 'completion', 'policy']));
    expect(all.length).toBeGreaterThanOrEqual(17);
  });

  it.each([...all.filter((c) => c !== 'policy'), 'policy test'])(
    '%s --help has examples and --output',
    (c) => {
      const r = cli([...c.split(' '), '--help']);
      expect(r.status, r.stderr).toBe(0);
      const examples = r.stdout.slice(r.stdout.indexOf('Examples:'));
      expect(r.stdout).toContain('Examples:');
      expect(examples).toContain(`modelseal ${c}`);
      expect(r.stdout).toMatch(/--output[^\n]*(json|text)/);
    },
  );

  it('exit-codes --output json is the table', () => {
    const r = cli(['exit-codes', '--output', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.exitCodes).toContainEqual(expect.objectContaining({ code: 2, kind: 'usage' }));
    expect(j.exitCodes).toHaveLength(8);
  });

  it('completion prints a bash (or zsh) script that asks modelseal for words, which it answers', () => {
    const bash = cli(['completion']);
    expect(bash.stdout).toContain('complete -o bashdefault -o default -F _modelseal_completions modelseal');
    expect(bash.stdout).toContain('--get-yargs-completions');
    expect(JSON.parse(cli(['completion', 'zsh', '--output', 'json']).stdout)).toMatchObject({
      ok: true,
      shell: 'zsh',
    });
    const words = cli(['--get-yargs-completions', 'modelseal', 'veri']).stdout.split('\n');
    expect(words).toEqual(expect.arrayContaining(['verify', 'verify-attestation', 'verify-blob']));
    expect(cli(['completion', 'fish']).status).toBe(2);
  });
});
