import { execFile } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  type DependencyRole,
  dependencyDescriptor,
  gitSourceDescriptor,
  parseDependencyRef,
  type ResourceDescriptor,
} from '@modelseal/attest';
import { UsageError } from '@modelseal/core';
import { subjectFromPath } from './subject.ts';

const run = promisify(execFile);

/** `--dataset`/`--base-model` value -> resolvedDependencies entry; local paths are hashed here. */
export async function resolveDependency(
  text: string,
  role: DependencyRole,
  flag: string,
): Promise<ResourceDescriptor> {
  const ref = parseDependencyRef(text, flag);
  switch (ref.kind) {
    case 'path': {
      const s = await subjectFromPath(ref.path);
      return dependencyDescriptor(role, {
        name: basename(resolve(ref.path)),
        digest: { sha256: s.digest.slice(7) },
      });
    }
    case 'hf':
      return dependencyDescriptor(role, { uri: ref.uri, digest: { gitCommit: ref.commit } });
    case 'pinned':
      return dependencyDescriptor(role, { uri: ref.uri, digest: { sha256: ref.sha256 } });
    default: {
      const never: never = ref;
      throw new Error(`unhandled dependency ${JSON.stringify(never)}`);
    }
  }
}

/** A git checkout -> its remote (credentials scrubbed) and HEAD commit, read by running git. */
export async function resolveGitSource(dir: string): Promise<ResourceDescriptor> {
  const git = async (...args: string[]) => {
    const { stdout } = await run('git', ['-C', dir, ...args], {
      timeout: 10_000,
      maxBuffer: 64 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
    });
    return stdout.trim();
  };
  let commit: string;
  try {
    commit = await git('rev-parse', '--verify', 'HEAD');
  } catch (e) {
    throw new UsageError({
      code: 'SOURCE_NOT_GIT',
      message: `--source ${dir} is not a git checkout with a commit (${(e as Error).message.split('\n')[0]})`,
    });
  }
  const remote = await git('config', '--get', 'remote.origin.url').catch(() => '');
  const ref = await git('symbolic-ref', '-q', 'HEAD').catch(() => '');
  return gitSourceDescriptor(remote || undefined, commit, ref || undefined);
}
