// Statement v1 + predicates (OMS v1.0, legacy Digests v0.1; SLSA v1 and dataset provenance later).
// buildStatement / parseStatement / omsStatement(manifest) / manifestFromOmsStatement(statement)
export {};
