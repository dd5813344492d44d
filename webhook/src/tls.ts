import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { InputError } from '@modelseal/core';
import type { Logger } from './log.ts';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export function readTls(files: TlsFiles): { cert: Buffer; key: Buffer } {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(files.certFile);
    key = readFileSync(files.keyFile);
  } catch (e) {
    throw new InputError({
      code: 'TLS_FILES_UNREADABLE',
      message: `cannot read --tls-cert ${files.certFile} / --tls-key ${files.keyFile}: ${(e as Error).message}`,
    });
  }
  try {
    // proves the pair parses and matches before we serve with it
    createSecureContext({ cert, key });
  } catch (e) {
    throw new InputError({
      code: 'TLS_PAIR_INVALID',
      message: `--tls-cert ${files.certFile} and --tls-key ${files.keyFile} are not a matching PEM pair: ${(e as Error).message}`,
    });
  }
  return { cert, key };
}

/**
 * Reloads the pair when the files change. Kubernetes updates Secret volumes by swapping a symlink,
 * which fs.watch on the directory sees but not always on the file; the poll catches the rest.
 * A bad new pair is logged and the old one kept: serving stale beats not serving.
 */
export function watchTls(
  files: TlsFiles,
  apply: (pair: { cert: Buffer; key: Buffer }) => void,
  log: Logger,
  pollMs = 10_000,
): { close(): void } {
  let last = fingerprint(files);
  const check = () => {
    const now = fingerprint(files);
    if (now === last || now === '') return;
    try {
      apply(readTls(files));
      last = now;
      log('info', 'tls certificate reloaded', { certFile: files.certFile });
    } catch (e) {
      log('error', 'tls reload failed; keeping the previous certificate', { code: (e as InputError).code });
      last = now;
    }
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(files.certFile), dirname(files.keyFile)])) {
    try {
      const w = watch(dir, { persistent: false }, () => setTimeout(check, 50).unref());
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      // some filesystems cannot be watched: the poll below still works
    }
  }
  const timer = setInterval(check, pollMs);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
      for (const w of watchers) w.close();
    },
  };
}

function fingerprint(files: TlsFiles): string {
  try {
    return createHash('sha256')
      .update(readFileSync(files.certFile))
      .update(readFileSync(files.keyFile))
      .digest('hex');
  } catch {
    return '';
  }
}
