/**
 * A flag that takes one value and may be repeated (`--certificate-chain A --certificate-chain B`),
 * as click's `multiple=True` options in model_signing do. yargs' `array: true` would swallow the
 * words after the flag, so `--certificate-chain ROOT ./model` read the model as a second root.
 */
export function repeatable(describe: string) {
  return {
    type: 'string',
    requiresArg: true,
    describe: `${describe}; repeat the flag for each value`,
    coerce: toList,
  } as const;
}

/** yargs gives one value as a string and a repeated flag as an array of them. */
export function toList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
