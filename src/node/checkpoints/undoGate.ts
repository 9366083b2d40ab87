/**
 * The gate a file undo goes through: the running one (editor or `airlock serve`, over the bridge)
 * when it answers, else one in this process with its own ledger and checkpoints (headless: asks
 * are denied at their deadline). Either way the undo is judged and recorded like any step.
 */
import { probeGate } from '../bridge/client';
import { ensurePrivateDir, readDiscovery } from '../bridge/discovery';
import { Gate } from '../gate/gate';
import { PendingApprovals } from '../gate/approvals';
import { anchorPathFor, Ledger } from '../ledger/ledger';
import { bridgeGate, type OpenedGate } from '../mcp/server';
import { GateCheckpoints } from './gateCheckpoints';
import type { CheckpointStore } from './store';

export async function undoGate(o: { home: string; ledgerPath: string; discoveryPath: string; workspaceRoots: string[]; store: CheckpointStore; log: (l: string) => void }): Promise<OpenedGate> {
  const d = readDiscovery(o.discoveryPath);
  if (d.ok && (await probeGate(d.discovery))) return bridgeGate(o.discoveryPath)!;
  ensurePrivateDir(o.home);
  const ledger = Ledger.open(o.ledgerPath, { anchor: anchorPathFor(o.home, o.ledgerPath) });
  const gate = new Gate({ ledger, approver: new PendingApprovals(), mode: 'interactive', home: o.home, workspaceRoots: o.workspaceRoots, log: o.log, checkpoints: new GateCheckpoints(o.store, o.log) });
  return {
    gate,
    where: `in-process gate (ledger ${o.ledgerPath})`,
    close: async () => {
      await gate.close();
      ledger.close();
    },
  };
}
