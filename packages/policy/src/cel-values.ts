/**
 * JSON -> CEL values whose every read is charged to a meter, converted lazily: a condition that
 * reads two fields of a 1 MiB predicate pays for two fields, not for converting the whole document
 * once per condition. A string read costs one unit per 16 characters on top of the read, since
 * what CEL does with a string (size, matches, contains, concatenation) is linear in its length.
 */
import type { CelInput } from '@bufbuild/cel';
import type { Meter } from './cel-meter.ts';

export function meteredValue(value: unknown, meter: Meter): CelInput {
  meter.charge(readCost(value));
  return convert(value, meter);
}

function readCost(raw: unknown): number {
  return typeof raw === 'string' ? 1 + (raw.length >> 4) : 1;
}

function convert(v: unknown, meter: Meter): CelInput {
  // whole numbers are CEL ints, as policy authors write them (`x.records > 0`)
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v)) return meteredList(v, meter);
  if (typeof v === 'object') return new MeteredMap(v, meter);
  return null;
}

function meteredList(raw: readonly unknown[], meter: Meter): CelInput {
  const cache: CelInput[] = new Array(raw.length);
  return new Proxy(cache, {
    get(target, prop, receiver) {
      if (typeof prop !== 'string') return Reflect.get(target, prop, receiver);
      const i = Number(prop);
      if (!Number.isInteger(i) || i < 0 || i >= raw.length || String(i) !== prop) {
        meter.charge(1);
        return Reflect.get(target, prop, receiver);
      }
      meter.charge(readCost(raw[i]));
      let v = target[i];
      if (v === undefined) {
        v = convert(raw[i], meter);
        target[i] = v;
      }
      return v;
    },
  });
}

/** A Map (cel-es wraps Maps as CEL maps) over a JSON object's own keys, values converted on read. */
class MeteredMap extends Map<string, CelInput> {
  readonly #raw: Readonly<Record<string, unknown>>;
  readonly #meter: Meter;
  readonly #cache = new Map<string, CelInput>();

  constructor(raw: object, meter: Meter) {
    super();
    this.#raw = raw as Record<string, unknown>;
    this.#meter = meter;
    for (const k of Object.keys(raw)) super.set(k, null);
  }

  override get(key: string): CelInput | undefined {
    if (!super.has(key)) {
      this.#meter.charge(1);
      return undefined;
    }
    const raw = this.#raw[key];
    this.#meter.charge(readCost(raw));
    let v = this.#cache.get(key);
    if (v === undefined) {
      v = convert(raw, this.#meter);
      this.#cache.set(key, v);
    }
    return v;
  }

  override keys(): MapIterator<string> {
    const meter = this.#meter;
    const keys = super.keys();
    function* gen(): Generator<string, undefined> {
      for (const k of keys) {
        meter.charge(1);
        yield k;
      }
      return undefined;
    }
    return gen();
  }

  override *entries(): MapIterator<[string, CelInput]> {
    for (const k of super.keys()) yield [k, this.get(k)!];
    return undefined;
  }

  override *values(): MapIterator<CelInput> {
    for (const k of super.keys()) yield this.get(k)!;
    return undefined;
  }

  override forEach(fn: (value: CelInput, key: string, map: Map<string, CelInput>) => void, self?: unknown) {
    for (const k of super.keys()) fn.call(self, this.get(k)!, k, this);
  }

  override [Symbol.iterator](): MapIterator<[string, CelInput]> {
    return this.entries();
  }
}
