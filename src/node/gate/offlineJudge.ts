/**
 * The shim's offline judgement: the same core judge with the effective policy, RunState.mode
 * 'offline' (reads pass, everything else is denied "Airlock is not running"). Bundled on its own
 * (dist/offline.js) so the hook shim loads the classifiers only when no gate answers.
 */
import { Action } from '../../core/action';
import { formatIssues } from '../../core/policy/layers';
import { judgeAction, type Decision } from '../../core/judge';
import { airlockHome, machineEnvironment } from '../environment';
import { loadEffectivePolicy } from '../policy/policyStore';

/** The strict Action schema, applied on the offline path (online, the gate applies it). */
export function readAction(candidate: unknown): { ok: true; action: Action } | { ok: false; error: string } {
  const a = Action.safeParse(candidate);
  return a.success ? { ok: true, action: a.data } : { ok: false, error: formatIssues(a.error) };
}

export function judgeOffline(action: Action, cwd: string, roots: string[], env: NodeJS.ProcessEnv): Decision {
  const { policy } = loadEffectivePolicy({ workspaceRoots: roots, home: airlockHome(env) });
  return judgeAction(action, policy, { killed: false, mode: 'offline', canSnapshot: false }, machineEnvironment(cwd, roots, env));
}
