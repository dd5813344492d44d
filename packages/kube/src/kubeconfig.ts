/**
 * A kubeconfig file -> how to reach and authenticate to its API server, without
 * @kubernetes/client-node (the CLI must not carry it). One file, the fields kubectl reads for a
 * context: server, CA (file or data), TLS verification off, client certificate and key (file or
 * data), bearer token (inline or file), or an exec credential plugin. Basic auth and the removed
 * auth-provider plugins are refused with a reason.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError, isRecord } from '@modelseal/core';
import { parse } from 'yaml';
import type { ApiConnection } from './client.ts';
import { type ExecConfig, runExecCredential } from './exec.ts';

export interface KubeconfigContext {
  readonly context: string;
  readonly namespace?: string;
  readonly server: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly ca?: FileOrData;
  readonly clientCertificate?: FileOrData;
  readonly clientKey?: FileOrData;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly exec?: ExecConfig;
}

type FileOrData = { readonly file: string } | { readonly data: Buffer };

const invalid = (source: string, message: string) =>
  new InputError({ code: 'KUBECONFIG_INVALID', message: `${source}: ${message}` });

/** The named context (else current-context) of a kubeconfig text; relative paths stay relative. */
export function parseKubeconfig(text: string, source: string, contextName?: string): KubeconfigContext {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw invalid(source, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(doc)) throw invalid(source, 'not a kubeconfig (no top-level mapping)');
  const name = contextName ?? (typeof doc['current-context'] === 'string' ? doc['current-context'] : '');
  if (!name) throw invalid(source, 'no current-context is set and no context was named');
  const context = entry(doc, 'contexts', 'context', name, source);
  const clusterName = str(context.cluster);
  const userName = str(context.user);
  if (!clusterName) throw invalid(source, `context ${name} names no cluster`);
  const cluster = entry(doc, 'clusters', 'cluster', clusterName, source);
  const user = userName ? entry(doc, 'users', 'user', userName, source) : {};
  const server = str(cluster.server);
  if (!server || !/^https?:\/\//.test(server))
    throw invalid(source, `cluster ${clusterName} has no http(s) server URL`);
  if (user.username !== undefined || user.password !== undefined)
    throw invalid(
      source,
      `user ${userName}: basic authentication is not supported; use a token or a client certificate`,
    );
  if (user['auth-provider'] !== undefined)
    throw invalid(
      source,
      `user ${userName}: auth-provider plugins were removed from Kubernetes; use an exec credential plugin`,
    );
  const out: KubeconfigContext = {
    context: name,
    server: server.replace(/\/+$/, ''),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...opt('namespace', str(context.namespace)),
    ...opt('tlsServerName', str(cluster['tls-server-name'])),
    ...opt('ca', fileOrData(cluster, 'certificate-authority', source)),
    ...opt('clientCertificate', fileOrData(user, 'client-certificate', source)),
    ...opt('clientKey', fileOrData(user, 'client-key', source)),
    ...opt('token', str(user.token)),
    ...opt('tokenFile', str(user.tokenFile)),
    ...opt('exec', execOf(user.exec, `${source}: user ${userName}`)),
  };
  if ((out.clientCertificate === undefined) !== (out.clientKey === undefined))
    throw invalid(source, `user ${userName}: a client certificate needs its key, and a key its certificate`);
  return out;
}

/** Reads the files a context names (relative to the kubeconfig) and runs its exec plugin, if any. */
export async function loadConnection(
  path: string,
  opts: { readonly context?: string; readonly env: Readonly<Record<string, string | undefined>> },
): Promise<ApiConnection & { namespace?: string }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw invalid(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const c = parseKubeconfig(text, path, opts.context);
  const base = dirname(path);
  const read = (f: FileOrData | undefined, what: string): Buffer | undefined => {
    if (f === undefined) return undefined;
    if ('data' in f) return f.data;
    const p = isAbsolute(f.file) ? f.file : join(base, f.file);
    try {
      return readFileSync(p);
    } catch (e) {
      throw invalid(
        path,
        `${what} file ${p} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  let token =
    c.token ?? (c.tokenFile ? read({ file: c.tokenFile }, 'token')?.toString('utf8').trim() : undefined);
  let cert = read(c.clientCertificate, 'client certificate');
  let key = read(c.clientKey, 'client key');
  if (c.exec) {
    const cred = await runExecCredential(c.exec, c.server, opts.env);
    token = cred.token ?? token;
    cert = cred.clientCertificate ?? cert;
    key = cred.clientKey ?? key;
  }
  return {
    server: c.server,
    insecureSkipTlsVerify: c.insecureSkipTlsVerify,
    ...opt('ca', read(c.ca, 'certificate authority')),
    ...opt('cert', cert),
    ...opt('key', key),
    ...opt('token', token),
    ...opt('tlsServerName', c.tlsServerName),
    ...opt('namespace', c.namespace),
  };
}

function entry(
  doc: Record<string, unknown>,
  list: string,
  field: string,
  name: string,
  source: string,
): Record<string, unknown> {
  const items = Array.isArray(doc[list]) ? doc[list] : [];
  const found = items.find((i) => isRecord(i) && i.name === name);
  if (!isRecord(found) || !isRecord(found[field]))
    throw invalid(source, `no ${field} named ${JSON.stringify(name)} in ${list}`);
  return found[field];
}

function fileOrData(o: Record<string, unknown>, key: string, source: string): FileOrData | undefined {
  const data = str(o[`${key}-data`]);
  if (data) {
    const bytes = Buffer.from(data, 'base64');
    if (
      bytes.length === 0 ||
      bytes.toString('base64').replace(/=+$/, '') !== data.replace(/\s+/g, '').replace(/=+$/, '')
    )
      throw invalid(source, `${key}-data is not base64`);
    return { data: bytes };
  }
  const file = str(o[key]);
  return file ? { file } : undefined;
}

function execOf(v: unknown, where: string): ExecConfig | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || !str(v.command))
    throw new InputError({ code: 'KUBECONFIG_INVALID', message: `${where}: exec needs a command` });
  const args = Array.isArray(v.args) ? v.args.map(String) : [];
  const env = Array.isArray(v.env)
    ? v.env.filter(isRecord).map((e) => ({ name: String(e.name ?? ''), value: String(e.value ?? '') }))
    : [];
  return {
    command: str(v.command)!,
    args,
    env,
    apiVersion: str(v.apiVersion) ?? 'client.authentication.k8s.io/v1',
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}
