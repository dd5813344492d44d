import { isRecord } from '@modelseal/core';
import type { ModelCardFields } from './types.ts';

/** Publisher-controlled text: kept short so a hostile card cannot bloat the BOM. */
const MAX_TEXT = 256;
const MAX_LIST = 64;

export interface ModelCardSources {
  /** parsed `config.json` (Hugging Face transformers layout) */
  readonly config?: unknown;
  /** parsed YAML front matter of README.md (Hugging Face model card metadata) */
  readonly frontMatter?: unknown;
}

/** The model-card fields a BOM shows; undefined when neither source says anything. */
export function modelCardFrom(sources: ModelCardSources): ModelCardFields | undefined {
  const config = isRecord(sources.config) ? sources.config : {};
  const meta = isRecord(sources.frontMatter) ? sources.frontMatter : {};
  const architecture = list(config['architectures'])[0];
  const architectureFamily = text(config['model_type']);
  const task = text(meta['pipeline_tag']);
  const license = text(meta['license']);
  const libraryName = text(meta['library_name']);
  const card: ModelCardFields = {
    ...(architecture ? { architecture } : {}),
    ...(architectureFamily ? { architectureFamily } : {}),
    ...(task ? { task } : {}),
    ...(license ? { license } : {}),
    ...(libraryName ? { libraryName } : {}),
    languages: list(meta['language']),
    tags: list(meta['tags']),
    datasets: list(meta['datasets']),
    baseModels: list(meta['base_model']),
  };
  const said = Object.values(card).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));
  return said ? card : undefined;
}

/**
 * The YAML between a leading `---` line and the next `---` (or `...`) line, as Hugging Face model
 * cards carry their metadata; undefined when the README has none.
 */
export function frontMatterOf(readme: string): string | undefined {
  const m = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(readme);
  return m?.[1];
}

function text(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s.slice(0, MAX_TEXT);
}

/** A string or a list of strings, as model-card fields come either way. */
function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of items.slice(0, MAX_LIST)) {
    const s = text(item);
    if (s !== undefined && !out.includes(s)) out.push(s);
  }
  return out;
}
