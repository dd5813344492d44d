// Signers composed over @sigstore/sign: key, certificate chain, keyless.
// createSigner(config: SignerConfig): Signer; Signer.sign(statementBytes) -> Promise<SerializedBundle>
export {};
