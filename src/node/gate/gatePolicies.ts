/**
 * The policies the gate judges by: for each request, the workspace it comes from (by the agent's
 * working directory) and that workspace's effective policy (user policy + workspace file +
 * acceptances), reloaded when one of its files changes.
 *
 * A change is seen by content (each file's sha256 is in the cache key), without reading every file
 * on every request: see fileTokens.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { sha256 } from '../../core/hash';
import type { EffectivePolicy } from '../../core/policy/layers';
import { loadEffectivePolicy, WORKSPACE_POLICY } from '../policy/policyStore';
import { FileTokens } from './fileTokens';

/** One workspace policy the gate has loaded: what is in force and what waits for a person. */
export interface PolicyFileStatus {
  /** The workspace policy file (or null: no file, the user policy and baseline alone). */
  path: string | null;
  /** The workspace the requests it judges come from. */
  workspace: string | null;
  /** The effective policy's hash (recorded with every decision it made). */
  hash: string;
  /** 'in force': everything in it applies; 'waiting': its loosening entries wait for a person's acceptance (the rest applies). */
  state: 'in force' | 'waiting' | 'none';
  /** The loosening entries ignored until a person accepts this exact file content. */
  waiting: string[];
  warnings: string[];
  loadedAt: string;
}

const inside = (dir: string, p: string): boolean => {
  const r = relative(dir, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

export interface GatePoliciesOptions {
  home: string;
  /** Workspace roots the gate was started for. */
  workspaceRoots: string[];
  /** An explicit workspace policy file (--policy): it applies to every request. */
  workspacePolicy?: string;
  log: (line: string) => void;
}

export class GatePolicies {
  /** Effective policies by workspace policy file ('' = none), reloaded when a file's content hash changes. */
  private readonly cache = new Map<string, { key: string; policy: EffectivePolicy; status: PolicyFileStatus }>();
  /** Each policy file's content hash, read again only when the file may have changed. */
  private readonly files = new FileTokens();

  constructor(private readonly o: GatePoliciesOptions) {}

  /**
   * The workspace a request comes from, by the agent's working directory: the configured root that
   * holds it, and within that root the nearest folder (from the cwd up) with its own
   * .airlock/policy.json (a project inside a larger root). A cwd outside every root, or no cwd,
   * belongs to the first root. An explicit policy file (--policy) applies to every request.
   */
  workspaceOf(cwd: string | undefined): { workspace: string | undefined; policyFile: string | undefined } {
    if (this.o.workspacePolicy) return { workspace: this.o.workspaceRoots[0], policyFile: this.o.workspacePolicy };
    const roots = this.o.workspaceRoots.map((r) => resolve(r));
    const abs = cwd && isAbsolute(cwd) ? resolve(cwd) : undefined;
    const root = abs ? roots.filter((r) => inside(r, abs)).sort((a, b) => b.length - a.length)[0] : undefined;
    if (root && abs) {
      for (let d = abs; inside(root, d); d = dirname(d)) {
        if (existsSync(join(d, WORKSPACE_POLICY))) return { workspace: d, policyFile: join(d, WORKSPACE_POLICY) };
        if (d === root || dirname(d) === d) break;
      }
      return { workspace: root, policyFile: join(root, WORKSPACE_POLICY) };
    }
    const first = roots[0];
    return { workspace: first, policyFile: first ? join(first, WORKSPACE_POLICY) : undefined };
  }

  private policyFiles(ws: string | undefined): string[] {
    return [join(this.o.home, 'policy.json'), ...(ws ? [ws] : []), join(this.o.home, 'acknowledged.json')];
  }

  /** The policies in force (and what in them waits for a person's acceptance), for status and health. */
  policyStatus(): PolicyFileStatus[] {
    if (this.cache.size === 0) this.current();
    return [...this.cache.values()].map((p) => p.status);
  }

  /**
   * The effective policy for a request from `cwd` (see workspaceOf): user policy + that workspace's
   * .airlock/policy.json + acceptances, with the same layering as the editor (tightening applies at
   * once; loosening waits for a person's acceptance of that exact content). Cached per workspace
   * file by the content hashes of the files it is built from.
   */
  current(cwd?: string): EffectivePolicy {
    const { workspace, policyFile } = this.workspaceOf(cwd);
    const cacheKey = policyFile ?? '';
    const key = sha256(
      this.policyFiles(policyFile)
        .map((f) => `${f}\0${this.files.token(f)}`)
        .join('\n'),
    );
    const hit = this.cache.get(cacheKey);
    if (hit && key === hit.key) return hit.policy;
    const roots = workspace ? [workspace, ...this.o.workspaceRoots.filter((r) => resolve(r) !== workspace)] : this.o.workspaceRoots;
    const { policy, workspace: layer } = loadEffectivePolicy({ workspaceRoots: roots, home: this.o.home, ...(policyFile && (this.o.workspacePolicy || existsSync(policyFile)) ? { workspacePolicy: policyFile } : {}) });
    for (const w of policy.warnings) this.o.log(`policy: ${w}`);
    const file = layer?.path ?? null;
    const status: PolicyFileStatus = {
      path: file, workspace: workspace ?? null, hash: policy.hash,
      state: !file ? 'none' : policy.ignored.length ? 'waiting' : 'in force',
      waiting: [...policy.ignored], warnings: [...policy.warnings], loadedAt: new Date().toISOString(),
    };
    const fileHash = layer?.hash ? ` (file sha256 ${layer.hash.slice(0, 12)})` : '';
    if (!file) this.o.log(`policy loaded (hash ${policy.hash.slice(0, 12)}): no workspace policy${workspace ? ` in ${workspace}` : ''}; the user policy and the baseline apply`);
    else if (status.state === 'in force') this.o.log(`policy loaded (hash ${policy.hash.slice(0, 12)}): ${file}${fileHash} in force`);
    else {
      this.o.log(`policy loaded (hash ${policy.hash.slice(0, 12)}): ${file}${fileHash} in force except what waits for acceptance:`);
      for (const i of policy.ignored) this.o.log(`policy:   ignored until a person accepts this exact file: ${i}`);
      this.o.log('policy:   accept it in the editor (Airlock: Review Workspace Policy, then Accept This Exact Workspace Policy File)');
    }
    this.cache.set(cacheKey, { key, policy, status });
    return policy;
  }
}
