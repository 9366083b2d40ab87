/**
 * The kill switch as the editor's gate host pulls it, in order: latch the flag (outside the
 * workspace) -> rotate the bridge token -> deny every pending approval and forget "allow for this
 * run" grants -> end the agents' process trees -> stop the bridge and withdraw our discovery files
 * -> ask a gate owning the default discovery file to stop.
 */
import type { AirlockStatus, KillReport } from '../../core/gateControl';
import { latchKill, readDiscovery, removeDiscoveryIfOurs, writeDiscovery } from '../bridge/discovery';
import type { PendingApprovals } from './approvals';
import { endAgentTrees, stopOtherGate, type AgentRecord } from './kill';
import type { Served } from './serve';

export interface KillContext {
  home: string;
  defaultDiscovery: string;
  discoveryPath: string;
  approvals: PendingApprovals;
  /** Agent sessions seen by the hooks (cleared once their trees are ended). */
  agentPids: Map<string, AgentRecord>;
  /** End the agents' process trees (the setting airlock.kill.endAgentProcesses). */
  endProcesses: boolean;
  log: (line: string) => void;
  update: (patch: Partial<AirlockStatus>) => void;
  /** The gate serving now. */
  served: () => Served | undefined;
  /** Detach the gate serving now from the host (it is stopped next). */
  takeServed: () => Served | undefined;
}

export async function killSequence(c: KillContext, reason: string, terminalShellPids: readonly number[], latch: boolean): Promise<KillReport> {
  const at = new Date().toISOString();
  // 1. Latch first: from here every gate and every shim denies, even if a later step fails.
  if (latch) latchKill(reason, c.home, at);
  c.update({ gate: 'killed', reason });
  const served = c.served();
  // 2. The old token dies now: a request already holding it gets 401 (then the shim's offline judge sees the flag).
  const oldToken = served?.token;
  served?.rotate();
  if (served && oldToken) {
    // The default discovery file carries the same token: rewrite it too (then withdrawn below).
    const cur = readDiscovery(c.defaultDiscovery);
    if (cur.ok && cur.discovery.token === oldToken) writeDiscovery(c.defaultDiscovery, { ...cur.discovery, token: served.token });
  }
  // 3. Nothing pending may still be approved; grants are forgotten.
  const deniedPending = c.approvals.pending();
  c.approvals.denyAll(`the Airlock kill switch was pulled: ${reason}`);
  c.approvals.clearGrants();
  // 4. End the agents' process trees: hook sessions, then agents found under the terminals' shells.
  const trees = await endAgentTrees([...c.agentPids.values()], terminalShellPids, c.endProcesses, c.log);
  c.agentPids.clear();
  // 5. Stop our own servers and withdraw our discovery files.
  if (served) {
    c.takeServed();
    const token = served.token;
    await served.stop(`kill switch: ${reason}`);
    removeDiscoveryIfOurs(c.defaultDiscovery, token);
    removeDiscoveryIfOurs(c.discoveryPath, token);
  }
  // 6. A gate owning the default discovery file (another window, `airlock serve`) is asked to stop too.
  const report: KillReport = { at, reason, deniedPending, trees };
  report.stoppedOtherGate = await stopOtherGate(c.defaultDiscovery, reason);
  c.update({ gate: 'killed', reason, bridge: undefined });
  c.log(`KILLED at ${at}: ${reason}; denied ${deniedPending} pending; ${trees.filter((t) => !t.skipped).length} process tree(s) ended`);
  return report;
}
