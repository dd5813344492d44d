/** in-toto Statement v1 (https://in-toto.io/Statement/v1). */
export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly content?: string;
  readonly downloadLocation?: string;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface Statement {
  readonly _type: 'https://in-toto.io/Statement/v1';
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}
