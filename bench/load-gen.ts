/**
 * An open-loop HTTP/1.1 load generator over keep-alive TLS connections, for bench/webhook.bench.ts.
 *
 * Why not autocannon: against the same server, autocannon's p99 at 1,000 req/s was 6 ms where
 * h2load (nghttp2, written in C) measured 1.3 ms; the client's own per-request allocations and
 * garbage collections were the tail. This one sends prebuilt request bytes on raw TLS sockets,
 * parses only the status line and the length of each response, and keeps latencies in a
 * preallocated array, so it allocates almost nothing per request. Latencies are in microseconds.
 *
 * Requests are due at a fixed rate from the start. One goes out on an idle connection when it is
 * due; if every connection is busy it waits, and how late it went out is reported as send lag, so
 * a stalled client shows up as lag rather than hiding in the latencies.
 */
import { connect, type TLSSocket } from 'node:tls';

export interface LoadOptions {
  readonly port: number;
  /** PEM of the CA that signed the server's certificate for 127.0.0.1 */
  readonly ca: string;
  readonly path: string;
  readonly method: 'GET' | 'POST';
  /** a POST's JSON body (an AdmissionReview) */
  readonly body?: string;
  readonly connections: number;
  /** requests per second, all connections together */
  readonly rate: number;
  readonly seconds: number;
  /** a request unanswered this long counts as an error and its connection is replaced */
  readonly timeoutMs: number;
}

export interface LoadResult {
  readonly sent: number;
  readonly completed: number;
  /** non-2xx answers */
  readonly non2xx: number;
  /** timeouts and connection errors */
  readonly errors: number;
  /** connections opened again after the server closed one or it failed */
  readonly reconnects: number;
  readonly rps: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
  };
  readonly sendLagMs: { readonly p99: number; readonly max: number };
}

interface Conn {
  socket: TLSSocket;
  ready: boolean;
  /** performance.now() when the request in flight went out; -1 when idle */
  sentAt: number;
  pending: Buffer | undefined;
  /** failed or closed, and already counted */
  dead: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const body = o.body ?? '';
  const head =
    `${o.method} ${o.path} HTTP/1.1\r\nHost: 127.0.0.1:${o.port}\r\n` +
    (o.method === 'POST'
      ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
      : '') +
    '\r\n';
  const request = Buffer.from(head + (o.method === 'POST' ? body : ''));
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const latency = new Float64Array(total);
  const lag = new Float64Array(total);

  return new Promise((resolve) => {
    let start = 0;
    let next = 0;
    /** answered + failed */
    let completed = 0;
    let answered = 0;
    let reconnects = 0;
    let non2xx = 0;
    let errors = 0;
    let timer: NodeJS.Timeout | undefined;
    const conns: Conn[] = [];

    const open = (): Conn => {
      const c: Conn = {
        socket: undefined as never,
        ready: false,
        sentAt: -1,
        pending: undefined,
        dead: false,
      };
      c.socket = connect({ host: '127.0.0.1', port: o.port, ca: o.ca }, () => {
        c.ready = true;
        c.socket.setNoDelay(true);
        if (start > 0) tick();
        else if (conns.every((x) => x.ready)) begin();
      });
      c.socket.on('data', (d: Buffer) => onData(c, d));
      c.socket.on('error', () => replace(c, true));
      c.socket.on('close', () => replace(c, false));
      return c;
    };
    const replace = (c: Conn, failed: boolean) => {
      const i = conns.indexOf(c);
      if (i < 0 || c.dead) return;
      c.dead = true;
      if (c.sentAt >= 0 || failed) errors++;
      if (c.sentAt >= 0) completed++;
      c.sentAt = -1;
      c.socket.destroy();
      if (finished()) return done();
      reconnects++;
      // a connection that never came up is retried after a pause, not in a tight loop
      if (c.ready) conns[i] = open();
      else
        setTimeout(() => {
          if (!ended && conns[i] === c) conns[i] = open();
        }, 50);
    };
    const onData = (c: Conn, d: Buffer) => {
      const buf = c.pending ? Buffer.concat([c.pending, d]) : d;
      const end = responseEnd(buf);
      if (end < 0) {
        c.pending = buf;
        return;
      }
      const status = buf[9] === undefined ? 0 : Number(buf.toString('latin1', 9, 12));
      if (c.sentAt < 0) return; // bytes nobody asked for: the server broke the protocol
      latency[answered++] = performance.now() - c.sentAt;
      completed++;
      if (status < 200 || status >= 300) non2xx++;
      c.sentAt = -1;
      c.pending = undefined;
      if (finished()) return done();
      tick();
    };
    const begin = () => {
      start = performance.now();
      tick();
    };
    const tick = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const now = performance.now();
      for (const c of conns) {
        if (c.sentAt >= 0 && now - c.sentAt > o.timeoutMs) replace(c, true);
      }
      while (next < total && start + next * interval <= now) {
        const c = idle();
        if (!c) break;
        lag[next] = now - (start + next * interval);
        c.sentAt = now;
        c.socket.write(request);
        next++;
      }
      // wake for the next request due, or else for the oldest one in flight timing out
      let wake = next < total ? start + next * interval : Number.POSITIVE_INFINITY;
      for (const c of conns) if (c.sentAt >= 0) wake = Math.min(wake, c.sentAt + o.timeoutMs + 1);
      if (wake < Number.POSITIVE_INFINITY) timer = setTimeout(tick, Math.max(0, wake - performance.now()));
    };
    // Round robin, as a connection pool spreading its work would: a connection left idle past the
    // server's keep-alive timeout gets closed, and reconnecting (a TLS handshake) is its own tail.
    let rr = 0;
    const idle = (): Conn | undefined => {
      for (let k = 0; k < conns.length; k++) {
        const c = conns[(rr + k) % conns.length]!;
        if (c.ready && !c.dead && c.sentAt < 0) {
          rr = (rr + k + 1) % conns.length;
          return c;
        }
      }
      return undefined;
    };
    const finished = () => next >= total && completed >= total;
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      if (timer) clearTimeout(timer);
      clearTimeout(deadline);
      const elapsed = (performance.now() - start) / 1000;
      for (const c of conns) {
        c.socket.removeAllListeners('close');
        c.socket.destroy();
      }
      conns.length = 0;
      const ok = latency.subarray(0, answered).sort();
      const lags = lag.subarray(0, next).sort();
      resolve({
        sent: next,
        completed,
        non2xx,
        errors,
        reconnects,
        rps: completed / elapsed,
        latencyMs: {
          p50: pct(ok, 50),
          p90: pct(ok, 90),
          p99: pct(ok, 99),
          p999: pct(ok, 99.9),
          max: ok.at(-1) ?? Number.NaN,
        },
        sendLagMs: { p99: pct(lags, 99), max: lags.at(-1) ?? Number.NaN },
      });
    };
    // Bounded whatever the server does: one that refuses every connection, or never answers, ends
    // the run here, with what was not answered counted as errors.
    const deadline = setTimeout(
      () => {
        for (const c of conns) {
          if (c.sentAt < 0) continue;
          errors++;
          completed++;
        }
        if (start === 0) start = performance.now();
        done();
      },
      o.seconds * 1000 + 2 * o.timeoutMs + 1000,
    );
    for (let i = 0; i < o.connections; i++) conns.push(open());
  });
}

/** Index just past a complete response in buf, or -1 while more is to come. */
function responseEnd(buf: Buffer): number {
  const h = buf.indexOf(HEADER_END);
  if (h < 0) return -1;
  const headers = buf.toString('latin1', 0, h).toLowerCase();
  const m = /\r\ncontent-length:\s*(\d+)/.exec(headers);
  if (m) {
    const end = h + 4 + Number(m[1]);
    return buf.length >= end ? end : -1;
  }
  if (/\r\ntransfer-encoding:\s*chunked/.test(headers)) {
    return buf.length >= h + 4 + CHUNKED_END.length &&
      buf.subarray(buf.length - CHUNKED_END.length).equals(CHUNKED_END)
      ? buf.length
      : -1;
  }
  return h + 4;
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
