/** A throw-away CA and a server certificate for 127.0.0.1, made with the openssl CLI. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFixture {
  dir: string;
  ca: Buffer;
  certFile: string;
  keyFile: string;
  /** issue a fresh server certificate (new serial) into certFile/keyFile */
  reissue(cn: string): void;
  cleanup(): void;
}

export function makeTlsFixture(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'modelseal-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=modelseal-test-ca',
  );
  const reissue = (cn: string) => {
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'next.key',
      '-out',
      'server.csr',
      '-subj',
      `/CN=${cn}`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'next.crt',
      '-days',
      '2',
      '-extfile',
      extFile(),
    );
    // rename over the old pair, as a Secret volume update would
    execFileSync('mv', ['next.key', 'tls.key'], { cwd: dir });
    execFileSync('mv', ['next.crt', 'tls.crt'], { cwd: dir });
  };
  const extFile = () => {
    execFileSync(
      'sh',
      ['-c', 'printf "subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n" > ext.cnf'],
      { cwd: dir },
    );
    return 'ext.cnf';
  };
  reissue('modelseal-webhook');
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.crt')),
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    reissue,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  peerCN?: string;
}

/** One HTTPS request on 127.0.0.1 with a 10 s cap; resolves with `status: 0` if the server hung up. */
export function send(
  port: number,
  ca: Buffer,
  path: string,
  body?: string | Buffer,
  opts: RequestOptions = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        ca,
        method: body === undefined ? 'GET' : 'POST',
        agent: false,
        timeout: 10_000,
        headers: { 'content-type': 'application/json' },
        ...opts,
      },
      (res) => {
        const chunks: Buffer[] = [];
        // read now: a keep-alive agent takes the socket back once the body ends
        const peer = (res.socket as import('node:tls').TLSSocket | null)?.getPeerCertificate?.();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
            peerCN: peer?.subject?.CN as string | undefined,
          });
        });
        res.on('error', () => resolve({ status: 0, body: '', headers: {} }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (e) =>
      (e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE'
        ? resolve({ status: 0, body: '', headers: {} })
        : reject(e),
    );
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
