import type { CommandModule } from 'yargs';
import { exitCodesCommand } from './help-exit-codes.ts';
import { inspectCommand } from './inspect.ts';
import { keygenCommand } from './keygen.ts';
import { policyCommand } from './policy-test.ts';
import { verifyBlobCommand } from './verify-blob.ts';

/** Every CLI command, one file each; a command handler is toOptions -> run -> render. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types
export const commands: CommandModule<any, any>[] = [
  exitCodesCommand,
  keygenCommand,
  inspectCommand,
  verifyBlobCommand,
  policyCommand,
];
