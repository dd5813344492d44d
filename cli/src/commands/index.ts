import type { Argv, CommandModule } from 'yargs';
import { EXAMPLES } from './examples.ts';

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types
type AnyCommand = CommandModule<any, any>;

/**
 * Every CLI command, one file each (a handler is toOptions -> run -> render), keyed by the word
 * that selects it. Loaded on demand: a run of one command should not pay for compiling the rest.
 */
const loaders: Record<string, () => Promise<AnyCommand>> = {
  attest: async () => (await import('./attest.ts')).attestCommand,
  bom: async () => (await import('./bom.ts')).bomCommand,
  completion: async () => (await import('./completion.ts')).completionCommand,
  copy: async () => (await import('./copy.ts')).copyCommand,
  digest: async () => (await import('./digest.ts')).digestCommand,
  'exit-codes': async () => (await import('./help-exit-codes.ts')).exitCodesCommand,
  inspect: async () => (await import('./inspect.ts')).inspectCommand,
  inventory: async () => (await import('./inventory.ts')).inventoryCommand,
  keygen: async () => (await import('./keygen.ts')).keygenCommand,
  policy: async () => (await import('./policy-test.ts')).policyCommand,
  sign: async () => (await import('./sign.ts')).signCommand,
  'sign-blob': async () => (await import('./sign-blob.ts')).signBlobCommand,
  scan: async () => (await import('./scan.ts')).scanCommand,
  verify: async () => (await import('./verify.ts')).verifyCommand,
  'verify-attestation': async () => (await import('./verify-attestation.ts')).verifyAttestationCommand,
  'verify-blob': async () => (await import('./verify-blob.ts')).verifyBlobCommand,
  'verify-digest': async () => (await import('./verify-digest.ts')).verifyDigestCommand,
};

/** The named command alone when the first word names one; all of them for help, typos and suggestions. */
export async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const word = argv[0];
  const loader = word === undefined ? undefined : loaders[word];
  if (loader) return [withExamples(word ?? '', await loader())];
  return Promise.all(Object.entries(loaders).map(async ([w, load]) => withExamples(w, await load())));
}

/** The command with its examples (./examples.ts) added to its --help. */
function withExamples(word: string, c: AnyCommand): AnyCommand {
  const examples = EXAMPLES[word] ?? [];
  const builder = c.builder;
  return {
    ...c,
    builder: (y: Argv) => {
      const built = typeof builder === 'function' ? builder(y) : y.options(builder ?? {});
      return examples.reduce((acc: Argv, [cmd, what]) => acc.example(cmd, what), built as Argv);
    },
  };
}
