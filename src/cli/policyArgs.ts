/** Loading the effective policy for a CLI invocation (explicit --policy file or the workspace's). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EffectivePolicy } from '../core/policy/layers';
import { loadEffectivePolicy } from '../node/policy/policyStore';
import { UsageError, type ParsedArgs } from './args';

export function loadPolicyOrExit(a: Pick<ParsedArgs, 'policy' | 'workspaces' | 'cwd'>): { policy: EffectivePolicy } {
  if (a.policy !== undefined && !existsSync(a.policy)) throw new UsageError(`--policy ${a.policy}: no such file`);
  const roots = a.workspaces.length ? a.workspaces : [a.cwd ?? process.cwd()];
  const { policy } = loadEffectivePolicy({ workspaceRoots: roots.map((r) => resolve(r)), ...(a.policy ? { workspacePolicy: resolve(a.policy) } : {}) });
  for (const w of policy.warnings) process.stderr.write(`airlock: warning: ${w}\n`);
  for (const i of policy.ignored) process.stderr.write(`airlock: ignored until acknowledged: ${i}\n`);
  return { policy };
}
