import type { CommandModule } from 'yargs';
import { EXIT_CODES, EXIT_MEANINGS } from '../exit.ts';
import { out } from '../io.ts';

export const exitCodesCommand: CommandModule = {
  command: 'exit-codes',
  describe: 'print the exit-code table',
  handler: () => {
    for (const [k, v] of Object.entries(EXIT_CODES))
      out(`${String(v).padStart(2)}  ${EXIT_MEANINGS[k as keyof typeof EXIT_CODES]}`);
  },
};
