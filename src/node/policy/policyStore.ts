/**
 * Loads the policy layers from disk: the user policy ($AIRLOCK_HOME/policy.json) and the workspace
 * policy (<root>/.airlock/policy.json), with the last known good copy of each kept in Airlock's
 * state directory and the set of acknowledged workspace-policy hashes.
 *
 * Fail closed: a broken or unknown-version file falls back to the last known good one (and the
 * baseline always applies); it never means "no policy".
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
export function loadLayer(path: string, label: string, home = airlockHome()): LoadedLayer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, warnings: [] };
    return fallback(lastGoodPath(home, path), path, [`${label} policy ${path} could not be read: ${(e as Error).message}`]);
  }
  const goodPath = lastGoodPath(home, path);
  const r = parsePolicyText(text);
  if (!r.ok) return fallback(goodPath, path, [`${label} policy ${path} is invalid (${r.error})`]);
  try {
    mkdirSync(join(stateDir(home), 'last-good'), { recursive: true, mode: 0o700 });
    writeAtomic(goodPath, text);
  } catch {
    // Keeping a copy is best effort: the policy just read is valid and applies either way.
  }
  return { policy: r.policy, hash: r.hash, path, warnings: [] };
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
