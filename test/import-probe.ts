/**
 * Run as `node test/import-probe.ts <module>`: imports the module in this fresh process and prints,
 * as JSON, every module that user code resolved (`edges`: importer -> resolved URL, for ESM
 * imports and CommonJS requires alike), the built-ins asked for through process.getBuiltinModule,
 * and process.moduleLoadList. Node's own bootstrap loads `fs` before any user code, so
 * moduleLoadList alone cannot tell whether a package imports it; the resolve hook can.
 * This file imports nothing but node:module, so it adds nothing to what it observes.
 */
import { registerHooks } from 'node:module';

const [target] = process.argv.slice(2);
if (!target) throw new Error('usage: node test/import-probe.ts <module path or specifier>');

const edges: [from: string, to: string][] = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    edges.push([context.parentURL ?? 'entry', resolved.url]);
    return resolved;
  },
});

// getBuiltinModule bypasses the resolver: record it with its caller, read off the stack.
const getBuiltinModule = process.getBuiltinModule.bind(process);
process.getBuiltinModule = ((id: string) => {
  const frame = new Error().stack?.split('\n')[2] ?? '';
  const caller = /\((.*?):\d+:\d+\)$|at (.*?):\d+:\d+$/.exec(frame);
  edges.push([caller?.[1] ?? caller?.[2] ?? 'unknown', id.startsWith('node:') ? id : `node:${id}`]);
  return getBuiltinModule(id);
}) as typeof process.getBuiltinModule;

/** Node's record of every built-in and binding it has loaded, internal ones included (untyped). */
function moduleLoadList(): string[] {
  const list: unknown = Reflect.get(process, 'moduleLoadList');
  if (!Array.isArray(list)) throw new Error('this Node has no process.moduleLoadList');
  return list.map(String);
}

const before = new Set(moduleLoadList());
await import(
  target.startsWith('.') || target.startsWith('/') ? new URL(target, `file://${process.cwd()}/`).href : target
);
process.stdout.write(
  JSON.stringify({
    edges,
    moduleLoadList: moduleLoadList().filter((m) => !before.has(m)),
  }),
);
