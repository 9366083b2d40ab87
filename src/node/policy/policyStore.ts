/**
 * Loads the policy layers from disk: the user policy ($AIRLOCK_HOME/policy.json) and the workspace
 * policy (<root>/.airlock/policy.json), with the last known good copy of each kept in Airlock's
 * state directory and the set of acknowledged workspace-policy hashes.
 *
 * Fail closed: a broken or unknown-version file falls back to the last known good one (and the
 * baseline always applies); it never means "no policy".
 *
 * Validated files are remembered (<home>/policy-cache/, see ValidatedCopy): a short-lived process
 * (the offline hook, `airlock check`) whose policy file has not changed takes the validated policy
 * from there instead of loading zod and node:crypto and rewriting the last good copy, ~50 ms of
 * every such call (BENCHMARKS.md §4b).
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../core/hash';
import { buildEffectivePolicy, parsePolicyText, type EffectivePolicy } from '../../core/policy/layers';
import type { Policy } from '../../core/policy/schema';
import { airlockHome } from '../environment';

export const WORKSPACE_POLICY = join('.airlock', 'policy.json');

export interface LoadedLayer {
  policy?: Policy;
  hash?: string;
  path: string;
  warnings: string[];
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

function stateDir(home: string): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return home;
}

/** Load one policy file, falling back to its last known good copy when it is broken. */
export function loadLayer(path: string, label: string, home = airlockHome(), build = BUILD_ID): LoadedLayer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, warnings: [] };
    return fallback(lastGoodPath(home, path), path, [`${label} policy ${path} could not be read: ${(e as Error).message}`]);
  }
  const known = build === undefined ? undefined : readValidated(home, path, text, build);
  if (known) return { policy: known.policy, hash: known.hash, path, warnings: [] };
  const goodPath = lastGoodPath(home, path);
  const r = parsePolicyText(text);
  if (!r.ok) return fallback(goodPath, path, [`${label} policy ${path} is invalid (${r.error})`]);
  try {
    mkdirSync(join(stateDir(home), 'last-good'), { recursive: true, mode: 0o700 });
    writeAtomic(goodPath, text);
    if (build !== undefined) writeValidated(home, { v: 1, build, path, text, hash: r.hash, policy: r.policy });
  } catch {
    // Keeping a copy is best effort: the policy just read is valid and applies either way.
  }
  return { policy: r.policy, hash: r.hash, path, warnings: [] };
}

/** The build's id (esbuild.config.mjs defines it from the sources); none when run from source. */
declare const AIRLOCK_BUILD_ID: string | undefined;
const BUILD_ID = typeof AIRLOCK_BUILD_ID === 'string' ? AIRLOCK_BUILD_ID : undefined;

/**
 * A policy file this build has validated: its exact text, the policy the schema made of it and the
 * text's hash. It is used only for the same path, the same build (a later build's schema may read
 * the same text differently) and the very same text, compared whole: an edit of any kind, at any
 * moment, is a different text and is validated again. The file is 0600 in the 0700 home, like the
 * last good copies beside it; anything in it that is not such a record is ignored.
 */
interface ValidatedCopy {
  v: 1;
  build: string;
  path: string;
  text: string;
  hash: string;
  policy: Policy;
}

/** One file per policy path, named by a (non-cryptographic) hash of it: a collision only misses. */
function validatedPath(home: string, path: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return join(home, 'policy-cache', `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}.json`);
}

function readValidated(home: string, path: string, text: string, build: string): ValidatedCopy | undefined {
  try {
    const c = JSON.parse(readFileSync(validatedPath(home, path), 'utf8')) as Partial<ValidatedCopy> | null;
    if (c && c.v === 1 && c.build === build && c.path === path && c.text === text && typeof c.hash === 'string' && c.policy && typeof c.policy === 'object') return c as ValidatedCopy;
  } catch {
    // none yet, or not one of ours: validate the file
  }
  return undefined;
}

function writeValidated(home: string, c: ValidatedCopy): void {
  const file = validatedPath(home, c.path);
  mkdirSync(join(stateDir(home), 'policy-cache'), { recursive: true, mode: 0o700 });
  writeAtomic(file, JSON.stringify(c));
}

/** Where the last known good copy of the policy file at `path` is kept (named by the path's hash). */
function lastGoodPath(home: string, path: string): string {
  return join(home, 'last-good', `${sha256(path).slice(0, 16)}.json`);
}

function fallback(goodPath: string, path: string, warnings: string[]): LoadedLayer {
  try {
    const good = parsePolicyText(readFileSync(goodPath, 'utf8'));
    if (good.ok) return { policy: good.policy, hash: good.hash, path, warnings: [...warnings, 'using the last known good copy plus the baseline'] };
  } catch {
    // no last good copy
  }
  return { path, warnings: [...warnings, 'no last known good copy: the baseline alone applies'] };
}

export function acknowledgedHashes(home = airlockHome()): Set<string> {
  try {
    const raw: unknown = JSON.parse(readFileSync(join(home, 'acknowledged.json'), 'utf8'));
    if (Array.isArray(raw)) return new Set(raw.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x)));
  } catch {
    // none acknowledged
  }
  return new Set();
}

/** Record that a person accepted this exact workspace policy content (the editor's UI calls this). */
export function acknowledge(hash: string, home = airlockHome()): void {
  const set = acknowledgedHashes(home);
  set.add(hash);
  writeAtomic(join(stateDir(home), 'acknowledged.json'), JSON.stringify([...set], null, 1));
}

export interface PolicySources {
  /** Explicit workspace policy file (else <first root>/.airlock/policy.json). */
  workspacePolicy?: string;
  workspaceRoots: string[];
  home?: string;
}

export function loadEffectivePolicy(src: PolicySources): { policy: EffectivePolicy; user: LoadedLayer; workspace?: LoadedLayer } {
  const home = src.home ?? airlockHome();
  const user = loadLayer(join(home, 'policy.json'), 'user', home);
  const wsPath = src.workspacePolicy ?? (src.workspaceRoots[0] ? join(src.workspaceRoots[0], WORKSPACE_POLICY) : undefined);
  const workspace = wsPath && (src.workspacePolicy || existsSync(wsPath)) ? loadLayer(wsPath, 'workspace', home) : undefined;
  const policy = buildEffectivePolicy({
    ...(user.policy ? { user: user.policy } : {}),
    ...(workspace?.policy && workspace.hash ? { workspace: { policy: workspace.policy, hash: workspace.hash } } : {}),
    acknowledged: acknowledgedHashes(home),
    warnings: [...user.warnings, ...(workspace?.warnings ?? [])],
  });
  return { policy, user, ...(workspace ? { workspace } : {}) };
}
