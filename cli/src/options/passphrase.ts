import { UsageError } from '@modelseal/core';
import type { Argv } from 'yargs';

export const DEFAULT_PASSPHRASE_ENV = 'MODELSEAL_KEY_PASSPHRASE';

export interface PassphraseArgs {
  'passphrase-env'?: string;
}

export const withPassphrase = <T>(y: Argv<T>): Argv<T & PassphraseArgs> =>
  y.option('passphrase-env', {
    type: 'string',
    describe: `environment variable holding the key passphrase (default ${DEFAULT_PASSPHRASE_ENV}); never pass it as a flag`,
  });

/** Environment first, then a hidden prompt on a terminal; undefined when neither is available. */
export async function resolvePassphrase(argv: PassphraseArgs, prompt: string): Promise<string | undefined> {
  const name = argv['passphrase-env'] ?? DEFAULT_PASSPHRASE_ENV;
  const fromEnv = process.env[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (argv['passphrase-env'] !== undefined) {
    throw new UsageError({
      code: 'PASSPHRASE_ENV_EMPTY',
      message: `environment variable ${name} is not set`,
    });
  }
  if (process.stdin.isTTY && process.stderr.isTTY) return readHidden(prompt);
  return undefined;
}

export function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const done = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      fn();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003')
          return done(() => reject(new UsageError({ code: 'CANCELLED', message: 'cancelled' })));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
