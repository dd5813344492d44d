/**
 * The load generator in a process of its own: the harness's heap (it signs hundreds of bundles to
 * build the store) and its garbage collections stay out of the measured latencies. It lives for
 * the whole benchmark, so the unmeasured warm-up rounds warm its JIT too.
 *
 * Started with fork(): each message is LoadOptions, each reply { result } or { error }.
 */
import { type LoadOptions, runLoad } from './load-gen.ts';

process.on('message', (options: LoadOptions) => {
  runLoad(options).then(
    (result) => process.send?.({ result }),
    (e: Error) => process.send?.({ error: e?.message ?? String(e) }),
  );
});
