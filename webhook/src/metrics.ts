/** Prometheus text exposition for the handful of series the webhook keeps; no client library needed. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  request(path: string, status: number): void;
  decision(result: 'allowed' | 'denied' | 'warned' | 'error'): void;
  latency(seconds: number): void;
  storeError(): void;
  /** /mutate answers: patched (containers injected or moved) or unchanged */
  mutation(result: 'patched' | 'unchanged'): void;
  injected(containers: number): void;
  /** one tag-only model image looked at by /mutate's pinning */
  pin(result: 'pinned' | 'annotated' | 'failed'): void;
  render(extra?: Readonly<Record<string, number>>): string;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const decisions = new Map<string, number>();
  const buckets = BUCKETS.map(() => 0);
  let count = 0;
  let sum = 0;
  let storeErrors = 0;
  const mutations = new Map<string, number>();
  let injected = 0;
  const pins = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  return {
    request: (path, status) => inc(requests, `path="${path}",code="${status}"`),
    decision: (result) => inc(decisions, `result="${result}"`),
    latency(seconds) {
      count++;
      sum += seconds;
      BUCKETS.forEach((b, i) => {
        if (seconds <= b) buckets[i]!++;
      });
    },
    storeError: () => {
      storeErrors++;
    },
    mutation: (result) => inc(mutations, `result="${result}"`),
    pin: (result) => inc(pins, `result="${result}"`),
    injected: (n) => {
      injected += n;
    },
    render(extra = {}) {
      const lines: string[] = [];
      const series = (name: string, type: string, help: string, m: Map<string, number>) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [labels, v] of m) lines.push(`${name}{${labels}} ${v}`);
      };
      series('modelseal_http_requests_total', 'counter', 'HTTP requests by path and status.', requests);
      series('modelseal_admission_decisions_total', 'counter', 'Admission decisions by result.', decisions);
      series('modelseal_mutations_total', 'counter', '/mutate answers by result.', mutations);
      series(
        'modelseal_pins_total',
        'counter',
        'Tag-only model images /mutate pinned, annotated or left.',
        pins,
      );
      lines.push(
        '# HELP modelseal_verifier_containers_injected_total Verifier init containers added by /mutate.',
        '# TYPE modelseal_verifier_containers_injected_total counter',
        `modelseal_verifier_containers_injected_total ${injected}`,
      );
      lines.push(
        '# HELP modelseal_admission_duration_seconds Time to decide one AdmissionReview.',
        '# TYPE modelseal_admission_duration_seconds histogram',
      );
      BUCKETS.forEach((b, i) => {
        lines.push(`modelseal_admission_duration_seconds_bucket{le="${b}"} ${buckets[i]}`);
      });
      lines.push(
        `modelseal_admission_duration_seconds_bucket{le="+Inf"} ${count}`,
        `modelseal_admission_duration_seconds_sum ${sum}`,
        `modelseal_admission_duration_seconds_count ${count}`,
        '# HELP modelseal_store_errors_total Store lookups that failed.',
        '# TYPE modelseal_store_errors_total counter',
        `modelseal_store_errors_total ${storeErrors}`,
      );
      for (const [name, v] of Object.entries(extra)) lines.push(`# TYPE ${name} counter`, `${name} ${v}`);
      return `${lines.join('\n')}\n`;
    },
  };
}
