/** A step that asked while no person was connected, queued for the editor (src/node/gate/approvalQueue.ts). */
export type QueuedStatus = 'queued' | 'approved' | 'denied' | 'used' | 'expired';

export interface QueuedApproval {
  id: number;
  createdAt: string;
  runId: string;
  agent: string;
  tool: string;
  summary: string;
  actionHash: string;
  reversibility: string;
  reasons: string[];
  status: QueuedStatus;
  decidedBy: string | null;
  decidedAt: string | null;
}
