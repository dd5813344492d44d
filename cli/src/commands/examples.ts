/**
 * Examples shown in every command's --help (one table, so a test can require them all). Each is
 * [command line, what it does]; `$0` is `modelseal`.
 */
export const EXAMPLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  attest: [
    [
      '$0 attest my-model --type slsa --key release.key --builder-id https://ci.example.com/train --dataset ./data/train',
      'SLSA provenance of a training run, filed in the store',
    ],
    [
      '$0 attest --subject model@sha256:<hex> --predicate scan.json --type scan --key release.key',
      'attest bytes that live elsewhere',
    ],
  ],
  bom: [
    ['$0 bom my-model --key release.pub --output json > bom.json', 'CycloneDX ML-BOM of a signed model'],
    ['$0 bom my-model --attest --key release.key', 'sign the BOM as an attestation'],
  ],
  completion: [['$0 completion >> ~/.bashrc', 'bash completion (zsh: $0 completion zsh >> ~/.zshrc)']],
  copy: [
    [
      '$0 copy dir:.modelseal/attestations oci://registry.example.com/models/llama --all',
      'mirror every attestation',
    ],
  ],
  digest: [
    ['$0 digest my-model --output json', 'the OMS manifest sign would record'],
    ['$0 digest my-model --serialization shards --hash blake3', 'per-shard BLAKE3 digests'],
  ],
  'exit-codes': [['$0 exit-codes --output json', 'the exit-code table as JSON']],
  inspect: [['$0 inspect my-model/model.sig --output json', 'decode a bundle without verifying it']],
  inventory: [
    ['$0 inventory k8s/ --policy policy.yaml --output cyclonedx', 'what the manifests run, as a BOM'],
  ],
  keygen: [
    ['$0 keygen --output-key-prefix release', 'release.key (0600) and release.pub, ECDSA P-256'],
    ['MODELSEAL_KEY_PASSPHRASE=… $0 keygen --encrypt --algorithm ecdsa-p384', 'an encrypted P-384 key'],
  ],
  policy: [
    [
      '$0 policy test deploy.yaml --policy policy.yaml --store .modelseal/attestations',
      'the admission decision, offline',
    ],
  ],
  'policy test': [
    ['$0 policy test deploy.yaml --policy policy.yaml --output json', 'one verdict per workload, as JSON'],
  ],
  scan: [
    ['$0 scan my-model', 'vet the files before they run (exit 7 on a finding)'],
    ['$0 scan my-model --attest --key release.key', 'sign the verdict for a policy'],
  ],
  sign: [
    ['$0 sign my-model --key release.key', 'bundle in my-model/model.sig'],
    ['$0 sign key --private_key release.key --signature model.sig my-model', "model_signing's spelling"],
    [
      '$0 sign certificate my-model --private-key leaf.key --signing-certificate leaf.pem --certificate-chain int.pem',
      'a CA-issued certificate',
    ],
    ['$0 sign my-model', 'keyless, with a token from SIGSTORE_ID_TOKEN or GitHub Actions'],
  ],
  'sign-blob': [
    [
      '$0 sign-blob artifact.txt --key release.key --bundle artifact.sigstore.json',
      'like cosign sign-blob --key',
    ],
    ['$0 sign-blob artifact.txt --bundle artifact.sigstore.json', 'keyless'],
  ],
  verify: [
    ['$0 verify my-model --key release.pub', 'check my-model/model.sig'],
    [
      '$0 verify certificate --signature ./m/model.sig --certificate_chain ca.pem ./m',
      "model_signing's spelling: the chain leads to ca.pem",
    ],
    [
      '$0 verify sigstore m --signature m/model.sig --identity you@example.com --identity_provider https://accounts.google.com',
      'a keyless signature, offline',
    ],
  ],
  'verify-attestation': [
    ['$0 verify-attestation my-model --policy policy.yaml', 'every requirement of the policy'],
    [
      '$0 verify-attestation my-model --type slsa --certificate-identity https://github.com/acme/train/.github/workflows/t.yml@refs/heads/main --certificate-oidc-issuer https://token.actions.githubusercontent.com',
      'one keyless signer, as cosign names it',
    ],
  ],
  'verify-blob': [
    [
      '$0 verify-blob artifact.txt --bundle artifact.sigstore.json --key release.pub',
      'like cosign verify-blob --key',
    ],
  ],
  'verify-digest': [
    ['$0 verify-digest /models/llama --digest sha256:<hex>', 'the start-up check the webhook injects'],
  ],
};
