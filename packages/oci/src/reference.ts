/**
 * OCI references as docker and the distribution spec write them:
 * `[registry[:port]/]path[:tag][@sha256:<hex>]`. Pure: no I/O.
 */
import { type InputCode, InputError } from '@modelseal/core';

export interface Reference {
  /** canonical registry name: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000` */
  readonly registry: string;
  /** repository path inside the registry: `library/ubuntu`, `models/llama` */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 lowercase hex>`; when both are given the digest is what is fetched */
  readonly digest?: string;
}

/** docker's own limits: a reference text of at most 255 characters for the name, 128 for a tag */
const MAX_INPUT = 1024;
const MAX_NAME = 255;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL_RE = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
const PORT_RE = /^[0-9]{1,5}$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/;
const SHA256_RE = /^sha256:[0-9a-f]{64}$/;
const ALGO_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export const DOCKER_HUB = 'docker.io';
/** the host docker actually talks to for docker.io */
export const DOCKER_HUB_API = 'registry-1.docker.io';
/** the key docker writes docker.io credentials under in config.json */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

function bad(code: InputCode, input: string, why: string): InputError {
  return new InputError({
    code,
    message: `${JSON.stringify(input.length > 100 ? `${input.slice(0, 100)}…` : input)} is not an OCI reference: ${why}`,
  });
}

/** Validates `sha256:<hex>`; other algorithms are refused by name rather than as garbage. */
export function parseDigest(text: string, what = 'digest'): string {
  if (typeof text !== 'string' || text.length > 200) throw bad('OCI_BAD_DIGEST', String(text), `bad ${what}`);
  if (SHA256_RE.test(text)) return text;
  if (ALGO_RE.test(text)) {
    const algo = text.slice(0, text.indexOf(':'));
    if (algo !== 'sha256') {
      throw new InputError({
        code: 'OCI_DIGEST_UNSUPPORTED',
        message: `${what} uses ${algo}; only sha256 digests are supported`,
      });
    }
  }
  throw bad('OCI_BAD_DIGEST', text, `${what} must be 'sha256:' followed by 64 lowercase hex characters`);
}

function isDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

function checkDomain(input: string, domain: string): string {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const end = domain.indexOf(']');
    host = domain.slice(0, end + 1);
    const rest = domain.slice(end + 1);
    if (end < 0 || !IPV6_RE.test(host) || (rest !== '' && !rest.startsWith(':'))) {
      throw bad('OCI_BAD_REFERENCE', input, 'malformed IPv6 registry address');
    }
    port = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    if (!host.split('.').every((l) => DOMAIN_LABEL_RE.test(l))) {
      throw bad('OCI_BAD_REFERENCE', input, `registry host ${JSON.stringify(host)} is not a host name`);
    }
  }
  if (port !== undefined && (!PORT_RE.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw bad('OCI_BAD_REFERENCE', input, 'registry port must be a number from 1 to 65535');
  }
  const lower = domain.toLowerCase();
  return lower === 'index.docker.io' || lower === DOCKER_HUB_API ? DOCKER_HUB : lower;
}

export function parseReference(input: string): Reference {
  if (typeof input !== 'string' || input.length === 0) {
    throw bad('OCI_BAD_REFERENCE', String(input ?? ''), 'empty');
  }
  if (input.length > MAX_INPUT) {
    throw bad('OCI_BAD_REFERENCE', input, `longer than ${MAX_INPUT} characters`);
  }
  if (/[\s\u0000-\u001f\u007f]/.test(input) || !/^[\x21-\x7e]+$/.test(input)) {
    throw bad('OCI_BAD_REFERENCE', input, 'contains whitespace, control or non-ASCII characters');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw bad('OCI_BAD_REFERENCE', input, 'a reference has no URL scheme (write host/path:tag)');
  }
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = parseDigest(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag))
      throw bad('OCI_BAD_REFERENCE', input, 'tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && isDomain(parts[0]!)) registry = checkDomain(input, parts.shift()!);
  if (parts.length === 0 || parts.some((p) => !COMPONENT_RE.test(p))) {
    throw bad(
      'OCI_BAD_REFERENCE',
      input,
      'repository path components are lowercase letters and digits, separated by ".", "_", "__" or "-"',
    );
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (repository.length > MAX_NAME) {
    throw bad('OCI_BAD_REFERENCE', input, `repository name is longer than ${MAX_NAME} characters`);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  return Object.freeze({
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  });
}

/** The reference text with everything explicit: `docker.io/library/ubuntu:latest@sha256:…`. */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** host[:port] the HTTP API lives at */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** Loopback is the only place plain HTTP may be used, and only when asked for. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.replace(/:[0-9]+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/** The referrers tag schema: `sha256:<hex>` -> `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return parseDigest(digest).replace(':', '-');
}
