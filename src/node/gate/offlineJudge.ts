/**
 * The shim's offline judgement: the same core judge with the effective policy, RunState.mode
 * 'offline' (reads pass, everything else is denied "Airlock is not running"). Bundled on its own
 * (dist/offline.js) so the hook shim loads the classifiers only when no gate answers. It validates
 * the action without zod (core/actionCheck.ts): judging `ls` builds no zod schema.
 */
import type { Action } from '../../core/action';
import { checkAction } from '../../core/actionCheck';
import { formatIssues } from '../../core/check';
import { judgeAction, type Decision } from '../../core/judge';
import { airlockHome, machineEnvironment } from '../environment';
import { loadEffectivePolicy } from '../policy/policyStore';

/**
 * The strict Action schema, applied on the offline path (online, the gate applies it with zod): the
 * zod-free check of core/actionCheck.ts, which accepts exactly what `Action` accepts, because building
 * the zod union was the largest item of the offline hook's start-up.
 */
export function readAction(candidate: unknown): { ok: true; action: Action } | { ok: false; error: string } {
  const a = checkAction(candidate);
  return a.ok ? { ok: true, action: a.value } : { ok: false, error: formatIssues(a.issues) };
}

export function judgeOffline(action: Action, cwd: string, roots: string[], env: NodeJS.ProcessEnv): Decision {
  const { policy } = loadEffectivePolicy({ workspaceRoots: roots, home: airlockHome(env) });
  return judgeAction(action, policy, { killed: false, mode: 'offline', canSnapshot: false }, machineEnvironment(cwd, roots, env));
}
