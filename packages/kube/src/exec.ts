/**
 * An exec credential plugin (client.authentication.k8s.io ExecCredential), as kubectl runs it for
 * EKS, GKE or AKS: the command with its args and env, KUBERNETES_EXEC_INFO describing the cluster,
 * stdout parsed for a token or a client certificate pair. Bounded in time and output.
 */
import { spawn } from 'node:child_process';
import { InternalError } from '@modelseal/core';

export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: string;
}

const TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 1 << 20;

/** `baseEnv` is the caller's environment: plugins read their own settings (AWS_PROFILE, …) from it. */
export async function runExecCredential(
  exec: ExecConfig,
  server: string,
  baseEnv: Readonly<Record<string, string | undefined>>,
): Promise<{ token?: string; clientCertificate?: Buffer; clientKey?: Buffer }> {
  const info = JSON.stringify({
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, cluster: { server } },
  });
  const env: Record<string, string | undefined> = { ...baseEnv, KUBERNETES_EXEC_INFO: info };
  for (const e of exec.env) env[e.name] = e.value;
  const failed = (why: string) =>
    new InternalError({ code: 'KUBE_EXEC_FAILED', message: `credential plugin ${exec.command} ${why}` });
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(exec.command, [...exec.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(failed(`did not answer within ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.length > MAX_OUTPUT) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-500);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(failed(`cannot be started: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && stdout.length <= MAX_OUTPUT) resolve(stdout);
      else
        reject(
          failed(
            `exited ${code ?? 'on a signal'}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
          ),
        );
    });
  });
  let status: Record<string, unknown> | undefined;
  try {
    status = (JSON.parse(out) as { status?: Record<string, unknown> }).status;
  } catch {
    throw failed('printed no ExecCredential JSON');
  }
  const token = typeof status?.token === 'string' ? status.token : undefined;
  const cert = typeof status?.clientCertificateData === 'string' ? status.clientCertificateData : undefined;
  const key = typeof status?.clientKeyData === 'string' ? status.clientKeyData : undefined;
  if (!token && !(cert && key)) throw failed('gave neither a token nor a client certificate and key');
  return {
    ...(token ? { token } : {}),
    ...(cert && key ? { clientCertificate: Buffer.from(cert), clientKey: Buffer.from(key) } : {}),
  };
}
