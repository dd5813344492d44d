import { gitSourceDescriptor } from './slsa-deps.ts';
import type { ResourceDescriptor } from './statement.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** What a CI system tells us about the run, mapped from its environment variables (pure). */
export interface CiContext {
  readonly system: 'github-actions' | 'gitlab-ci';
  readonly builderId: string;
  readonly invocationId: string;
  readonly source?: ResourceDescriptor;
  readonly externalParameters: Readonly<Record<string, string>>;
}

export function detectCi(env: Env): CiContext | undefined {
  if (env['GITHUB_ACTIONS'] === 'true') return github(env);
  if (env['GITLAB_CI'] === 'true') return gitlab(env);
  return undefined;
}

function github(env: Env): CiContext | undefined {
  const server = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/$/, '');
  const repo = env['GITHUB_REPOSITORY'];
  const workflowRef = env['GITHUB_WORKFLOW_REF'];
  const runId = env['GITHUB_RUN_ID'];
  if (!repo || !workflowRef || !runId) return undefined;
  const sha = env['GITHUB_SHA'];
  const ref = env['GITHUB_REF'];
  return {
    system: 'github-actions',
    // the workflow file at its ref: what policies pin (`.../train.yml@refs/heads/main`)
    builderId: `${server}/${workflowRef}`,
    invocationId: `${server}/${repo}/actions/runs/${runId}/attempts/${env['GITHUB_RUN_ATTEMPT'] ?? '1'}`,
    ...(sha && /^[0-9a-f]{40}$/.test(sha)
      ? { source: gitSourceDescriptor(`${server}/${repo}`, sha, ref) }
      : {}),
    externalParameters: compact({
      workflow: workflowRef,
      repository: `${server}/${repo}`,
      ref,
      event: env['GITHUB_EVENT_NAME'],
    }),
  };
}

function gitlab(env: Env): CiContext | undefined {
  const server = (env['CI_SERVER_URL'] ?? 'https://gitlab.com').replace(/\/$/, '');
  const project = env['CI_PROJECT_PATH'];
  const jobId = env['CI_JOB_ID'];
  if (!project || !jobId) return undefined;
  const config = env['CI_CONFIG_PATH'] || '.gitlab-ci.yml';
  const refName = env['CI_COMMIT_REF_NAME'];
  const ref = refName ? (env['CI_COMMIT_TAG'] ? `refs/tags/${refName}` : `refs/heads/${refName}`) : undefined;
  const sha = env['CI_COMMIT_SHA'];
  return {
    system: 'gitlab-ci',
    builderId: `${server}/${project}/${config}${ref ? `@${ref}` : ''}`,
    invocationId: `${server}/${project}/-/jobs/${jobId}`,
    ...(sha && /^[0-9a-f]{40}$/.test(sha)
      ? { source: gitSourceDescriptor(`${server}/${project}`, sha, ref) }
      : {}),
    externalParameters: compact({
      config,
      repository: `${server}/${project}`,
      ref,
      pipeline: env['CI_PIPELINE_ID']
        ? `${server}/${project}/-/pipelines/${env['CI_PIPELINE_ID']}`
        : undefined,
    }),
  };
}

function compact(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}
