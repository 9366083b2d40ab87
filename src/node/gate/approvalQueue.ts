/**
 * The approval queue: asks that came while no person was connected (`airlock serve` without an
 * editor, Airlock's MCP server headless). The agent is answered at once "needs a person's approval:
 * queued" instead of waiting out its hook timeout; the step waits here, in `<home>/approvals.sqlite`
 * (shared by every gate process of that home), until an editor connects and a person answers it.
 *
 * Architecture Invariants:
 * - An entry approved by a person allows exactly one later call of the same action (same action
 *   hash, same agent) and is used up by it; nothing here ever allows an action by itself.
 * - Only the editor decides entries (a person's gesture); the command line only lists them, so an
 *   agent with a shell cannot approve its own request.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApprovalRequest } from '../../core/run/approver';
import { openSqlite, type SqliteDatabase } from '../ledger/sqlite';



/** How long a queued step waits for a person, and how long an approval waits for the agent's retry. */
export const QUEUE_TTL_MS = 24 * 60 * 60 * 1000;

export type { QueuedApproval, QueuedStatus } from '../../core/run/queue';
import type { QueuedApproval, QueuedStatus } from '../../core/run/queue';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS approval_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  run_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  tool TEXT NOT NULL,
  summary TEXT NOT NULL,
  action_hash TEXT NOT NULL,
  reversibility TEXT NOT NULL,
  reasons_json TEXT NOT NULL,
  action_json TEXT,
  status TEXT NOT NULL DEFAULT 'queued',
  decided_by TEXT,
  decided_at TEXT
);
CREATE INDEX IF NOT EXISTS approval_queue_hash ON approval_queue(action_hash, status);
`;

interface Row {
  id: number;
  created_at: string;
  run_id: string;
  agent: string;
  tool: string;
  summary: string;
  action_hash: string;
  reversibility: string;
  reasons_json: string;
  status: QueuedStatus;
  decided_by: string | null;
  decided_at: string | null;
}

export function approvalQueuePath(home: string): string {
  return join(home, 'approvals.sqlite');
}

export class ApprovalQueueStore {
  private constructor(
    private readonly db: SqliteDatabase,
    readonly path: string,
    private readonly now: () => number,
  ) {}

  static open(path: string, o: { readonly?: boolean; now?: () => number } = {}): ApprovalQueueStore {
    if (!o.readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = openSqlite(path, o.readonly ? { readonly: true, fileMustExist: true } : {});
    if (!o.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 2000');
      db.exec(SCHEMA);
    }
    return new ApprovalQueueStore(db, path, o.now ?? Date.now);
  }

  close(): void {
    this.db.close();
  }

  /** Queue an ask (or return the entry already queued for the same action of the same agent). */
  enqueue(req: ApprovalRequest, summary: string): QueuedApproval {
    const hash = req.decision.actionHash;
    const same = this.db.prepare("SELECT * FROM approval_queue WHERE action_hash = ? AND agent = ? AND status = 'queued' AND created_at >= ? ORDER BY id DESC LIMIT 1").get(hash, req.agent, this.cutoff()) as Row | undefined;
    if (same) return view(same);
    const r = this.db
      .prepare('INSERT INTO approval_queue (created_at, run_id, agent, tool, summary, action_hash, reversibility, reasons_json, action_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(new Date(this.now()).toISOString(), req.runId, req.agent, req.toolName, summary.slice(0, 500), hash, req.decision.reversibility, JSON.stringify(req.decision.reasons), req.action ? JSON.stringify(req.action) : null);
    return this.get(Number(r.lastInsertRowid))!;
  }

  get(id: number): QueuedApproval | undefined {
    const r = this.db.prepare('SELECT * FROM approval_queue WHERE id = ?').get(id) as Row | undefined;
    return r ? this.expired(view(r)) : undefined;
  }

  /** Waiting entries of the last day (all: every entry, answered or not), oldest first. */
  list(o: { all?: boolean } = {}): QueuedApproval[] {
    const rows = this.db.prepare(`SELECT * FROM approval_queue WHERE created_at >= ? ${o.all ? '' : "AND status = 'queued'"} ORDER BY id`).all(o.all ? '' : this.cutoff()) as Row[];
    return rows.map((r) => this.expired(view(r)));
  }

  /** A person's answer from the editor. An approval is bound to the hash of the action that was shown. */
  decide(id: number, answer: { decision: 'allow'; by: string; actionHash: string } | { decision: 'deny'; by: string }): 'decided' | 'gone' | 'changed' {
    const cur = this.get(id);
    if (!cur || cur.status !== 'queued') return 'gone';
    if (answer.decision === 'allow' && answer.actionHash !== cur.actionHash) return 'changed';
    this.db.prepare("UPDATE approval_queue SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'queued'").run(answer.decision === 'allow' ? 'approved' : 'denied', answer.by, new Date(this.now()).toISOString(), id);
    return 'decided';
  }

  /**
   * The approval a person gave for this exact action of this agent, used up now (one call), if any.
   * A denial is returned too (and kept), so a retry of a denied step is answered with it.
   */
  take(actionHash: string, agent: string): { decision: 'allow'; entry: QueuedApproval } | { decision: 'deny'; entry: QueuedApproval } | undefined {
    const cutoff = this.cutoff();
    const tx = this.db.transaction(() => {
      const r = this.db.prepare("SELECT * FROM approval_queue WHERE action_hash = ? AND agent = ? AND status IN ('approved', 'denied') AND decided_at >= ? ORDER BY id DESC LIMIT 1").get(actionHash, agent, cutoff) as Row | undefined;
      if (!r) return undefined;
      if (r.status === 'approved') {
        this.db.prepare("UPDATE approval_queue SET status = 'used' WHERE id = ?").run(r.id);
        return { decision: 'allow' as const, entry: view(r) };
      }
      return { decision: 'deny' as const, entry: view(r) };
    });
    return tx.immediate();
  }

  private cutoff(): string {
    return new Date(this.now() - QUEUE_TTL_MS).toISOString();
  }

  private expired(q: QueuedApproval): QueuedApproval {
    return q.status === 'queued' && q.createdAt < this.cutoff() ? { ...q, status: 'expired' } : q;
  }
}

function view(r: Row): QueuedApproval {
  let reasons: string[] = [];
  try {
    const p = JSON.parse(r.reasons_json) as unknown;
    if (Array.isArray(p)) reasons = p.filter((x): x is string => typeof x === 'string');
  } catch {
    /* unreadable reasons: shown as none */
  }
  return { id: r.id, createdAt: r.created_at, runId: r.run_id, agent: r.agent, tool: r.tool, summary: r.summary, actionHash: r.action_hash, reversibility: r.reversibility, reasons, status: r.status, decidedBy: r.decided_by, decidedAt: r.decided_at };
}

/** The queue of a home, opened on first use (a gate that never asks never creates the file). */
export function lazyQueue(home: string, log?: (line: string) => void): { get: () => ApprovalQueueStore | undefined; close: () => void } {
  let store: ApprovalQueueStore | undefined;
  let failed = false;
  return {
    get: () => {
      if (store || failed) return store;
      try {
        store = ApprovalQueueStore.open(approvalQueuePath(home));
      } catch (e) {
        failed = true;
        log?.(`approval queue ${approvalQueuePath(home)} cannot open: ${(e as Error).message}`);
      }
      return store;
    },
    close: () => {
      store?.close();
      store = undefined;
    },
  };
}
