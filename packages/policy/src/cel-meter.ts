/**
 * One CEL evaluation's budget: work units (reads of predicate values, comprehension iterations
 * weighted by their body) and, when the caller gives a clock, time. Tripping is sticky: CEL's
 * `||` and `&&` absorb errors, so the evaluation may go on after a charge failed; every later
 * charge fails at once and the caller reads `tripped` instead of the result.
 */
import type { EvaluationClock } from './types.ts';

export type Tripped = 'cost' | 'time' | 'deadline';

export class BudgetExceeded extends Error {}

/** the clock is read every CLOCK_EVERY charges or CLOCK_UNITS units, whichever comes first */
const CLOCK_EVERY = 16;
const CLOCK_UNITS = 1024;

export class Meter {
  #left: number;
  #tripped: Tripped | undefined;
  #ticks = 0;
  #sinceClock = 0;
  readonly #clock: EvaluationClock | undefined;
  readonly #timeUp: number;
  readonly #deadline: number;

  constructor(budget: number, maxMillis: number, clock: EvaluationClock | undefined) {
    this.#left = budget;
    this.#clock = clock;
    const start = clock?.now() ?? 0;
    this.#timeUp = start + maxMillis;
    this.#deadline = clock?.deadline ?? Number.POSITIVE_INFINITY;
  }

  /** units not spent (negative once the budget tripped) */
  get left(): number {
    return this.#left;
  }

  get tripped(): Tripped | undefined {
    return this.#tripped;
  }

  /** Spends `units`; looks at the clock now and then (always when `checkClock`). */
  charge(units: number, checkClock = false): void {
    if (this.#tripped !== undefined) throw new BudgetExceeded(this.#tripped);
    this.#left -= units;
    if (this.#left < 0) this.#trip('cost');
    this.#sinceClock += units;
    if (this.#clock && (checkClock || ++this.#ticks % CLOCK_EVERY === 0 || this.#sinceClock >= CLOCK_UNITS)) {
      this.#sinceClock = 0;
      const now = this.#clock.now();
      if (now > this.#deadline) this.#trip('deadline');
      if (now > this.#timeUp) this.#trip('time');
    }
  }

  #trip(why: Tripped): never {
    this.#tripped = why;
    throw new BudgetExceeded(why);
  }
}
