/**
 * Chat templates are Jinja programs that transformers, llama.cpp and vLLM render for every request.
 * A sandboxed Jinja stops at underscore attributes; other engines (and older sandboxes) do not. The
 * classic escape walks `x.__class__.__mro__[1].__subclasses__()` or `cycler.__init__.__globals__.os`.
 * Real chat templates never need dunder names, the `attr` filter, Jinja's global helpers, or
 * subscripts whose key is computed from strings, so each of those is a finding.
 */

const ESCAPE_NAMES = new Set([
  'attr',
  'lipsum',
  'cycler',
  'joiner',
  'self',
  'request',
  'url_for',
  'get_flashed_messages',
  'mro',
  'subclasses',
  'globals',
  'builtins',
  'import',
  'popen',
  'subprocess',
  'eval',
  'exec',
  'getattr',
  'setattr',
  'func_globals',
  'f_globals',
  'gi_frame',
  'gi_code',
  'im_func',
]);

export interface TemplateIssue {
  readonly message: string;
}

type Tok = { readonly t: 'name' | 'str' | 'op' | 'num'; readonly v: string };

function tokens(code: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s+|([A-Za-z_][A-Za-z0-9_]*)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?)|(\*\*|\/\/|[~|+\-*/%()[\]{}.,:=<>!])/gy;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < code.length) {
    const at = re.lastIndex;
    m = re.exec(code);
    if (m === null) {
      out.push({ t: 'op', v: code[at]! });
      re.lastIndex = at + 1;
      continue;
    }
    if (m[1]) out.push({ t: 'name', v: m[1] });
    else if (m[2]) out.push({ t: 'str', v: m[2].slice(1, -1) });
    else if (m[3]) out.push({ t: 'num', v: m[3] });
    else if (m[4]) out.push({ t: 'op', v: m[4] });
  }
  return out;
}

/** The code inside {{ }} and {% %} blocks; comments and literal text are skipped. */
function blocks(template: string): string[] {
  const out: string[] = [];
  const re = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
  const noComments = template.replace(/\{#[\s\S]*?#\}/g, '');
  for (const m of noComments.matchAll(re)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

export function checkTemplate(template: string, maxIssues = 20): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const seen = new Set<string>();
  const note = (message: string) => {
    if (!seen.has(message) && issues.length < maxIssues) {
      seen.add(message);
      issues.push({ message });
    }
  };
  for (const code of blocks(template)) {
    const toks = tokens(code);
    for (let i = 0; i < toks.length; i++) {
      const tk = toks[i]!;
      if ((tk.t === 'name' || tk.t === 'str') && tk.v.includes('__')) {
        note(`reaches the dunder name ${JSON.stringify(tk.v.slice(0, 60))}`);
      }
      if (tk.t === 'name' && ESCAPE_NAMES.has(tk.v)) {
        const prev = toks[i - 1];
        // `x.items` style member names are fine unless they are escape helpers called as such
        if (
          prev?.v !== '.' ||
          tk.v === 'mro' ||
          tk.v === 'subclasses' ||
          tk.v === 'globals' ||
          tk.v === 'popen'
        ) {
          note(`uses ${JSON.stringify(tk.v)}, which chat templates do not need and sandbox escapes do`);
        }
      }
      if (tk.t === 'op' && tk.v === '[' && isSubscript(toks[i - 1])) {
        const inner = bracketContents(toks, i);
        const hasString = inner.some((x) => x.t === 'str');
        const computed = inner.some(
          (x) =>
            x.t === 'op' &&
            (x.v === '~' ||
              x.v === '|' ||
              x.v === '(' ||
              ((x.v === '+' || x.v === '*' || x.v === '%') && hasString)),
        );
        if (computed)
          note('subscripts with a key computed at render time (attribute lookup by a built name)');
      }
    }
  }
  return issues;
}

const isSubscript = (prev: Tok | undefined): boolean =>
  prev !== undefined && (prev.t === 'name' || prev.t === 'str' || prev.v === ']' || prev.v === ')');

function bracketContents(toks: readonly Tok[], open: number): Tok[] {
  let depth = 0;
  const out: Tok[] = [];
  for (let j = open; j < toks.length; j++) {
    const v = toks[j]!.v;
    if (toks[j]!.t === 'op' && v === '[') depth++;
    if (toks[j]!.t === 'op' && v === ']' && --depth === 0) return out;
    if (j > open) out.push(toks[j]!);
  }
  return out;
}
