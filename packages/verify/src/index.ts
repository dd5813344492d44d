// Bundle + trust material + identity policy -> verified statement, over @sigstore/verify.
// verifyBundle({ bundle, trust, identity }) / verifyModel({ bundle, manifest, trust, identity })
export {};
