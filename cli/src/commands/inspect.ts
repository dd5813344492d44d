import type { Argv, CommandModule } from 'yargs';
import { err, out, outJson } from '../io.ts';
import { readBundleFile } from '../options/files.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';

interface Args extends OutputArgs {
  bundle: string;
}

const NOTICE = 'NOT VERIFIED: inspect only decodes the bundle; run `modelseal verify` to check it.';

async function run(path: string) {
  const { parseBundle } = await import('@modelseal/verify');
  const { parseStatement } = await import('@modelseal/attest');
  const parsed = parseBundle(readBundleFile(path));
  const m = parsed.material;
  const signer = (() => {
    switch (m.kind) {
      case 'hint':
        return { kind: 'key', keyId: m.hint };
      case 'raw-key':
        return { kind: 'key', keyType: m.key.asymmetricKeyType };
      case 'chain':
        return {
          kind: 'certificate',
          chain: m.certificates.map((c) => ({
            subject: c.subject.replace(/\n/g, ', '),
            issuer: c.issuer.replace(/\n/g, ', '),
            subjectAltName: c.subjectAltName,
            notBefore: new Date(c.validFrom).toISOString(),
            notAfter: new Date(c.validTo).toISOString(),
          })),
        };
      default:
        return m satisfies never;
    }
  })();
  return {
    verified: false,
    mediaType: parsed.bundle.mediaType,
    payloadType: parsed.payloadType,
    signer,
    statement: parseStatement(parsed.payload),
  };
}

function render(r: Awaited<ReturnType<typeof run>>, output: Args['output']): void {
  err(NOTICE);
  if (output === 'json') {
    outJson(r);
    return;
  }
  out(`mediaType:     ${r.mediaType}`);
  out(`predicateType: ${r.statement.predicateType}`);
  for (const s of r.statement.subject) out(`subject:       ${s.name ?? ''} ${JSON.stringify(s.digest)}`);
  out(`signer:        ${JSON.stringify(r.signer, null, 2)}`);
  out(`statement:\n${JSON.stringify(r.statement, null, 2)}`);
}

export const inspectCommand: CommandModule<object, Args> = {
  command: 'inspect <bundle>',
  describe: 'print the statement and signer material of a bundle without verifying it',
  builder: (y: Argv) =>
    withOutput(y).positional('bundle', {
      type: 'string',
      demandOption: true,
      describe: 'bundle file',
    }) as Argv<Args>,
  handler: async (argv) => render(await run(argv.bundle), argv.output),
};
