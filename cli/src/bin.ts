#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Caches compiled (and type-stripped) modules across runs: start-up is most of a small command's
// cost. Enabled before the CLI is imported, which is why that import is dynamic.
enableCompileCache();
const { main } = await import('./main.ts');
process.exitCode = await main();
