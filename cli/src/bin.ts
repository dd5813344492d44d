#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Caches compiled (and type-stripped) modules across runs: start-up is most of a small command's
// cost. Enabled before the CLI is imported, which is why that import is dynamic.
enableCompileCache();
// A reader that stops early (`| head`) closes the pipe: that is the reader's choice, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
});
const { main } = await import('./main.ts');
process.exitCode = await main();
