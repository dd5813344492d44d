import { X509Certificate } from 'node:crypto';
import type { ParsedBundle, parseSigstoreBundle } from '@modelseal/verify';
import type { Argv, CommandModule } from 'yargs';
import { err, out, outJson } from '../io.ts';
import { readBundleFile } from '../options/files.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';

interface Args extends OutputArgs {
  bundle: string;
}

const NOTICE = 'NOT VERIFIED: inspect only decodes the bundle; run `modelseal verify` to check it.';

type Bundle = ReturnType<typeof parseSigstoreBundle>;

/** protobuf-specs HashAlgorithm numbers, as cosign prints them */
const HASHES: Readonly<Record<number, string>> = {
  1: 'sha256',
  2: 'sha384',
  3: 'sha512',
  4: 'sha3-256',
  5: 'sha3-384',
};

/** Node leaves `subject` undefined for an empty name, as on every Fulcio certificate. */
const dn = (name: string | undefined): string => (name ?? '').replace(/\n/g, ', ');

const describeCertificate = (c: X509Certificate) => ({
  subject: dn(c.subject),
  issuer: dn(c.issuer),
  subjectAltName: c.subjectAltName,
  notBefore: new Date(c.validFrom).toISOString(),
  notAfter: new Date(c.validTo).toISOString(),
});

function dsseSigner(m: ParsedBundle['material']) {
  switch (m.kind) {
    case 'hint':
      return { kind: 'key', keyId: m.hint };
    case 'raw-key':
      return { kind: 'key', keyType: m.key.asymmetricKeyType };
    case 'chain':
      return { kind: 'certificate', chain: m.certificates.map(describeCertificate) };
    default:
      return m satisfies never;
  }
}

function messageSigner(vm: Bundle['verificationMaterial']['content']) {
  switch (vm.$case) {
    case 'publicKey':
      return { kind: 'key', keyId: vm.publicKey.hint };
    case 'x509CertificateChain':
      return {
        kind: 'certificate',
        chain: vm.x509CertificateChain.certificates.map((c) =>
          describeCertificate(new X509Certificate(c.rawBytes)),
        ),
      };
    case 'certificate':
      return {
        kind: 'certificate',
        chain: [describeCertificate(new X509Certificate(vm.certificate.rawBytes))],
      };
    default:
      return vm satisfies never;
  }
}

async function run(path: string) {
  const { parseBundle, parseSigstoreBundle } = await import('@modelseal/verify');
  const { parseStatement } = await import('@modelseal/attest');
  const { isRecord, parseJson } = await import('@modelseal/core');
  const bytes = readBundleFile(path);
  const json = parseJson(bytes, 'signature bundle', { maxBytes: 64 << 20, maxDepth: 32 });
  // cosign sign-blob bundles sign the artifact itself: no statement to decode
  if (isRecord(json) && isRecord(json.messageSignature)) {
    const bundle = parseSigstoreBundle(json, `bundle ${path}`);
    if (bundle.content.$case !== 'messageSignature') throw new Error('unreachable: not a message signature');
    const md = bundle.content.messageSignature.messageDigest;
    return {
      kind: 'message-signature' as const,
      verified: false,
      mediaType: bundle.mediaType,
      messageDigest: md
        ? {
            algorithm: HASHES[md.algorithm] ?? String(md.algorithm),
            digest: Buffer.from(md.digest).toString('hex'),
          }
        : undefined,
      signer: messageSigner(bundle.verificationMaterial.content),
      tlogEntries: bundle.verificationMaterial.tlogEntries.length,
    };
  }
  const parsed = parseBundle(json);
  return {
    kind: 'dsse' as const,
    verified: false,
    mediaType: parsed.bundle.mediaType,
    payloadType: parsed.payloadType,
    signer: dsseSigner(parsed.material),
    statement: parseStatement(parsed.payload),
  };
}

function render(r: Awaited<ReturnType<typeof run>>, output: Args['output']): void {
  err(NOTICE);
  if (output === 'json') {
    const { kind: _kind, ...rest } = r;
    outJson(rest);
    return;
  }
  out(`mediaType:     ${r.mediaType}`);
  switch (r.kind) {
    case 'message-signature':
      out(`content:       message signature over ${JSON.stringify(r.messageDigest ?? 'no digest')}`);
      out(`tlogEntries:   ${r.tlogEntries}`);
      out(`signer:        ${JSON.stringify(r.signer, null, 2)}`);
      return;
    case 'dsse':
      out(`predicateType: ${r.statement.predicateType}`);
      for (const s of r.statement.subject) out(`subject:       ${s.name ?? ''} ${JSON.stringify(s.digest)}`);
      out(`signer:        ${JSON.stringify(r.signer, null, 2)}`);
      out(`statement:\n${JSON.stringify(r.statement, null, 2)}`);
      return;
    default:
      r satisfies never;
  }
}

export const inspectCommand: CommandModule<object, Args> = {
  command: 'inspect <bundle>',
  describe: 'print the statement (or message digest) and signer material of a bundle without verifying it',
  builder: (y: Argv) =>
    withOutput(y).positional('bundle', {
      type: 'string',
      demandOption: true,
      describe: 'bundle file',
    }) as Argv<Args>,
  handler: async (argv) => render(await run(argv.bundle), argv.output),
};
