import type { Argv } from 'yargs';
import type { OutputFormat } from '../io.ts';

export interface OutputArgs {
  output: OutputFormat;
}

export const withOutput = <T>(y: Argv<T>): Argv<T & OutputArgs> =>
  y.option('output', {
    alias: 'o',
    choices: ['text', 'json'] as const,
    default: 'text' as const,
    describe: 'text verdicts on stderr, or a JSON result on stdout',
  });
