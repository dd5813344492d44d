import type { CommandModule } from 'yargs';
import { attestCommand } from './attest.ts';
import { digestCommand } from './digest.ts';
import { exitCodesCommand } from './help-exit-codes.ts';
import { inspectCommand } from './inspect.ts';
import { keygenCommand } from './keygen.ts';
import { policyCommand } from './policy-test.ts';
import { signCommand } from './sign.ts';
import { signBlobCommand } from './sign-blob.ts';
import { verifyCommand } from './verify.ts';
import { verifyAttestationCommand } from './verify-attestation.ts';
import { verifyBlobCommand } from './verify-blob.ts';

/** Every CLI command, one file each; a command handler is toOptions -> run -> render. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types
export const commands: CommandModule<any, any>[] = [
  attestCommand,
  digestCommand,
  exitCodesCommand,
  inspectCommand,
  keygenCommand,
  policyCommand,
  signBlobCommand,
  signCommand,
  verifyAttestationCommand,
  verifyBlobCommand,
  verifyCommand,
];
