import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import { type TLSSocket, Server as TlsServer } from 'node:tls';

/**
 * The connections a draining server still holds, and which of them may be closed. Node's own
 * `server.close()` closes every connection without a request in flight, including one accepted a
 * moment ago whose first request is still on the wire: that client sees a reset, and with
 * failurePolicy Fail its pod is rejected. Here a connection is closed only once it has been idle
 * for a grace period; one answering a request closes itself after the answer (no keep-alive while
 * draining).
 */
export function trackConnections(server: Server): {
  /** stop listening, leaving open connections alone */
  stopListening(): Promise<void>;
  /** resolves when every connection has closed, or at `untilMs` (Date.now()) */
  drain(graceMs: number, untilMs: number): Promise<void>;
} {
  const sockets = new Map<TLSSocket, { busy: number; idleSince: number }>();
  // accepted TCP connections, handshaking ones included (the handshake timeout bounds them)
  const accepted = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    accepted.add(s);
    s.once('close', () => accepted.delete(s));
  });
  server.on('secureConnection', (s: TLSSocket) => {
    sockets.set(s, { busy: 0, idleSince: Date.now() });
    s.once('close', () => sockets.delete(s));
  });
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const st = sockets.get(req.socket as TLSSocket);
    if (!st) return;
    st.busy++;
    res.once('close', () => {
      st.busy--;
      st.idleSince = Date.now();
    });
  });
  return {
    stopListening() {
      // the net-level close: stops accepting without the http layer's closeIdleConnections()
      return new Promise((resolve) => TlsServer.prototype.close.call(server, () => resolve()));
    },
    async drain(graceMs, untilMs) {
      while ((accepted.size > 0 || sockets.size > 0) && Date.now() < untilMs) {
        const now = Date.now();
        for (const [s, st] of sockets) if (st.busy === 0 && now - st.idleSince >= graceMs) s.destroy();
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
