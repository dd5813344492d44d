import type { FindingCode } from '../findings.ts';

/**
 * What a JSON file next to a model can make a loader do: a Keras config can name a Lambda layer
 * (marshalled Python bytecode) or a class from any importable module; a transformers config can map
 * Auto classes to code in the repository (`auto_map`, run with trust_remote_code); a tokenizer
 * config carries the chat template.
 */
export interface JsonIssue {
  readonly code: FindingCode;
  readonly message: string;
}

export interface JsonFacts {
  readonly issues: readonly JsonIssue[];
  readonly templates: readonly { readonly key: string; readonly text: string }[];
}

const MAX_ISSUES = 50;

export function checkJsonValue(root: unknown): JsonFacts {
  const issues: JsonIssue[] = [];
  const templates: { key: string; text: string }[] = [];
  const note = (code: FindingCode, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ code, message });
  };
  if (isObj(root)) {
    const ct = root.chat_template;
    if (typeof ct === 'string') templates.push({ key: 'chat_template', text: ct });
    else if (Array.isArray(ct)) {
      for (const t of ct) {
        if (isObj(t) && typeof t.template === 'string') {
          templates.push({ key: `chat_template.${String(t.name ?? '?')}`, text: t.template });
        }
      }
    }
    if (isObj(root.auto_map) || Array.isArray(root.auto_map)) {
      note('HF_REMOTE_CODE', `auto_map names repository code that transformers runs with trust_remote_code`);
    }
  }
  // iterative: a deep hostile config must not overflow the stack
  const todo: unknown[] = [root];
  let visited = 0;
  while (todo.length > 0 && visited++ < 5_000_000) {
    const v = todo.pop();
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) todo.push(x);
      continue;
    }
    if (!isObj(v)) continue;
    const cls = v.class_name;
    if (cls === 'Lambda' || cls === '__lambda__' || cls === 'TFOpLambda') {
      const name =
        isObj(v.config) && typeof v.config.name === 'string' ? ` ${JSON.stringify(v.config.name)}` : '';
      note('KERAS_LAMBDA', `Keras ${cls} layer${name} carries Python code that runs when the model loads`);
    } else if (typeof cls === 'string' && typeof v.module === 'string' && !isKerasModule(v.module)) {
      note('KERAS_CUSTOM_OBJECT', `Keras object ${v.module}.${cls} is imported from outside Keras`);
    }
    if (isObj(v.config) && typeof v.config.function === 'object' && cls !== undefined && cls !== 'Lambda') {
      const fn = v.config.function;
      if (isObj(fn) && fn.class_name === '__lambda__')
        note('KERAS_LAMBDA', `Keras ${String(cls)} wraps a Python lambda`);
    }
    for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) todo.push(x);
  }
  return { issues, templates };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A Keras config stored as text inside another format (an HDF5 attribute, a keras_metadata.pb
 * node, a SavedModel object's metadata): its issues, each message after `label`. Not being JSON
 * (or UTF-8) is an issue itself (`notJson`): what Keras builds from it is unknown.
 */
export function checkKerasConfigText(
  label: string,
  text: string | Uint8Array,
  notJson = `${label} is not JSON, so what Keras builds from it is unknown`,
): JsonIssue[] {
  let value: unknown;
  try {
    value = JSON.parse(typeof text === 'string' ? text : strictUtf8.decode(text));
  } catch {
    return [{ code: 'JSON_MALFORMED', message: notJson }];
  }
  return checkJsonValue(value).issues.map((i) => ({ code: i.code, message: `${label}: ${i.message}` }));
}

const isKerasModule = (m: string): boolean =>
  m === 'keras' || m.startsWith('keras.') || m === 'tf_keras' || m.startsWith('tf_keras.');

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
