import { UsageError } from '@modelseal/core';
import type { ResourceDescriptor } from './statement.ts';

/** Role of a resolved dependency; the policy requires attestations for datasets and base models. */
export type DependencyRole = 'dataset' | 'base-model' | 'source';
export const ROLE_ANNOTATION = 'modelseal.dev/role';

export type DependencyRef =
  /** a local file or directory: the CLI hashes it with the manifest engine */
  | { readonly kind: 'path'; readonly path: string }
  /** a Hugging Face repo pinned to a commit */
  | { readonly kind: 'hf'; readonly uri: string; readonly commit: string }
  /** any other URI pinned to the OMS subject digest of its content: `s3://b/ds@sha256:<hex>` */
  | { readonly kind: 'pinned'; readonly uri: string; readonly sha256: string };

const URI_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
const HF_RE =
  /^hf:\/\/((?:datasets\/|models\/)?[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95})(?:@([^@]*))?$/;

/** Pure: classifies a `--dataset`/`--base-model` value and refuses anything that is not immutable. */
export function parseDependencyRef(text: string, flag: string): DependencyRef {
  if (typeof text !== 'string' || text === '' || text.includes('\0') || text.length > 4096)
    throw new UsageError({ code: 'DEPENDENCY_INVALID', message: `${flag} needs a path or a pinned URI` });
  if (!URI_RE.test(text)) return { kind: 'path', path: text };
  if (text.toLowerCase().startsWith('hf://')) {
    const m = HF_RE.exec(text);
    if (!m) {
      throw new UsageError({
        code: 'DEPENDENCY_INVALID',
        message: `${flag} ${text}: expected hf://<org>/<name>@<40-hex commit>`,
      });
    }
    const rev = m[2];
    if (rev === undefined || !/^[0-9a-f]{40}$/.test(rev)) {
      throw new UsageError({
        code: 'DEPENDENCY_UNPINNED',
        message:
          `${flag} ${text} is not pinned to a commit. A branch or tag (${rev ?? 'none given: main'}) can be moved, and a ` +
          'deleted or renamed Hugging Face namespace can be re-registered by someone else (namespace reuse), so the ' +
          `name alone does not say what you trained on. Use hf://${m[1]}@<40-hex commit sha> (see the repo's commit history).`,
      });
    }
    return { kind: 'hf', uri: `hf://${m[1]}@${rev}`, commit: rev };
  }
  const at = text.lastIndexOf('@sha256:');
  const hex = at >= 0 ? text.slice(at + '@sha256:'.length) : '';
  if (at < 0 || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new UsageError({
      code: 'DEPENDENCY_UNPINNED',
      message:
        `${flag} ${text} has no content digest: what a URI points to can change after the fact. ` +
        'Append the OMS digest of its content (`modelseal digest <dir>`): <uri>@sha256:<64 hex>, or give a local path.',
    });
  }
  return { kind: 'pinned', uri: text.slice(0, at), sha256: hex };
}

/** The resolvedDependencies entry for a dependency whose digest is now known. */
export function dependencyDescriptor(
  role: DependencyRole,
  ref: { name?: string; uri?: string; digest: Readonly<Record<string, string>> },
): ResourceDescriptor {
  return {
    ...(ref.name ? { name: ref.name } : {}),
    ...(ref.uri ? { uri: ref.uri } : {}),
    digest: ref.digest,
    annotations: { [ROLE_ANNOTATION]: role },
  };
}

/** `https://user:token@host/x.git` -> `https://host/x.git`: credentials never reach a signed statement. */
export function scrubGitUrl(url: string): string {
  const trimmed = url.trim();
  try {
    const u = new URL(trimmed);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    // scp-like `git@github.com:acme/x.git` has no secret beyond the user name
    return trimmed.replace(/^[^@/]+@([^:/]+):/, 'ssh://$1/');
  }
}

export function gitSourceDescriptor(
  remoteUrl: string | undefined,
  commit: string,
  ref?: string,
): ResourceDescriptor {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit))
    throw new UsageError({
      code: 'SOURCE_INVALID',
      message: `git commit ${JSON.stringify(commit)} is not a full hex sha`,
    });
  const uri = remoteUrl ? `git+${scrubGitUrl(remoteUrl)}${ref ? `@${ref}` : ''}` : undefined;
  return dependencyDescriptor('source', {
    ...(uri ? { uri } : { name: 'source' }),
    digest: { gitCommit: commit },
  });
}
