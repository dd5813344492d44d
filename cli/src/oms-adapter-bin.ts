#!/usr/bin/env node
/**
 * `modelseal-oms-adapter`: the OMS conformance suite's adapter (see ./oms-adapter.ts and
 * docs/signing.md). It runs the modelseal CLI in this process with the translated arguments, so
 * errors, codes and exit codes are the CLI's own.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { adapterToCli } = await import('./oms-adapter.ts');
const { main, reportError } = await import('./main.ts');
let args: string[] | undefined;
try {
  args = adapterToCli(process.argv.slice(2), process.env);
} catch (e) {
  process.exitCode = reportError(e, false);
}
if (args) process.exitCode = await main(args);
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
process.exit();
