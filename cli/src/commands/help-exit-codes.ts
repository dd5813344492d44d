import type { Argv, CommandModule } from 'yargs';
import { EXIT_CODES, EXIT_MEANINGS } from '../exit.ts';
import { out, outJson } from '../io.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';

export const exitCodesCommand: CommandModule<object, OutputArgs> = {
  command: 'exit-codes',
  describe: 'print the exit-code table',
  builder: (y: Argv) => withOutput(y),
  handler: (argv) => {
    const rows = Object.entries(EXIT_CODES).map(([kind, code]) => ({
      code,
      kind,
      meaning: EXIT_MEANINGS[kind as keyof typeof EXIT_CODES],
    }));
    if (argv.output === 'json') {
      outJson({ ok: true, exitCodes: rows });
      return;
    }
    for (const r of rows) out(`${String(r.code).padStart(2)}  ${r.meaning}`);
  },
};
