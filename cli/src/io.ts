/**
 * Output discipline: payloads (JSON, digests, bundles) go to stdout; progress, verdicts and
 * errors go to stderr, so `modelseal digest m > out.json` stays clean.
 */
export type OutputFormat = 'text' | 'json';

export const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

export const err = (text: string): void => {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
};

export const outJson = (value: unknown): void => out(JSON.stringify(value, null, 2));

export { progressReporter } from './progress.ts';
