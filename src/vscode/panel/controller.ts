/**
 * The run log panel's host side, without VS Code: validates every webview message, answers each
 * request exactly once (result or error), holds pushes until the webview's `ready`, and checks
 * every `decide` against the pending card (hash, gesture) before handing it to the gate.
 * runLogPanel.ts binds it to a real webview; the browser tests drive it directly.
 */
import { HostToWebview, MAX_DEAD_LETTERS, WebviewToHost, type DeadLetterView, type GateState } from '../../core/protocol/panel';
import type { PendingCard } from '../../core/present';
import type { RunLogQueries } from '../../core/run/runLogQueries';

export interface Disposable {
  dispose(): void;
}

/** A person's answer from the panel, after the host's checks. */
export interface PanelDecision {
  decision: 'allow' | 'deny';
  scope: 'once' | 'run';
  gesture: 'click' | 'typed';
  actionHash: string;
}

/** What the extension core (h-ext) provides to the panel. */
export interface RunLogDeps {
  queries: RunLogQueries;
  /** Approvals waiting for a person, as cards (build them with core/present `pendingCard`). */
  pending(): PendingCard[];
  state(): GateState;
  /** Fires when pending approvals or the gate state change (a vscode.Event<void> fits). */
  onDidChange(listener: () => void): Disposable;
  /** Resolve a pending approval. Returns false when nothing with that id is pending any more. */
  decide(stepId: string, answer: PanelDecision): boolean;
  log: { info(msg: string): void; warn(msg: string): void };
  /** The dead letters of Airlock's own tools (the editor's effect store); absent: the panel says so. */
  deadLetters?: DeadLetterPort;
  /** Undo from a step's checkpoint: the editor shows the diff and asks, then undoes through the gate. */
  undo?: (runId: string, stepId: string, scope: 'step' | 'run') => Promise<{ ok: boolean; message: string }>;
}

/** Dead letters: listed, retried through the gate (same idempotency key), or discarded by a person. */
export interface DeadLetterPort {
  list(): DeadLetterView[];
  /** ok: the effect completed on this retry; otherwise the message says why not (denied, failed again). */
  retry(id: number): Promise<{ ok: boolean; message: string }>;
  /** Throws when there is no open dead letter with this id. */
  discard(id: number): void;
}

/** The editor-specific parts: where the export goes. */
export interface PanelUi {
  /** Ask where to save; undefined when the person cancels. */
  pickExportTarget(suggestedName: string): Promise<string | undefined>;
  /** Write the chunks to the chosen target. */
  writeExport(target: string, chunks: Iterable<string>): Promise<void>;
}

export class RunLogController implements Disposable {
  private ready = false;
  private readonly subs: Disposable[] = [];
  private openRun: { id: string; lastSeq: number } | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: RunLogDeps,
    private readonly ui: PanelUi,
    private readonly post: (msg: HostToWebview) => void,
    /** How often the open run is checked for new steps (ms). */
    pollMs = 1000,
  ) {
    this.subs.push(deps.onDidChange(() => this.pushLive()));
    this.poll = setInterval(() => this.checkRun(), pollMs);
  }

  dispose(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    for (const s of this.subs.splice(0)) s.dispose();
  }

  /** The webview went away (hidden with retainContextWhenHidden off, or reloaded): wait for ready again. */
  reset(): void {
    this.ready = false;
    this.openRun = undefined;
  }

  private send(msg: HostToWebview): void {
    if (!this.ready) return;
    const checked = HostToWebview.safeParse(msg);
    if (!checked.success) {
      this.deps.log.warn(`panel: not sending an invalid ${msg.type} message: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      if ('requestId' in msg && msg.requestId) this.post({ type: 'error', requestId: msg.requestId, message: 'the host produced an invalid reply (see the Airlock log)' });
      return;
    }
    this.post(checked.data);
  }

  private pushLive(): void {
    this.send({ type: 'state', state: this.deps.state() });
    this.send({ type: 'pendingApprovals', cards: this.deps.pending() });
  }

  private checkRun(): void {
    if (!this.ready || !this.openRun) return;
    try {
      const seq = this.deps.queries.lastSeq(this.openRun.id);
      if (seq !== undefined && seq !== this.openRun.lastSeq) {
        this.openRun.lastSeq = seq;
        this.send({ type: 'runChanged', runId: this.openRun.id, lastSeq: seq });
      }
    } catch (e) {
      this.deps.log.warn(`panel: could not check run ${this.openRun.id} for new steps: ${(e as Error).message}`);
    }
  }

  /** Entry point for every message from the webview. */
  async receive(raw: unknown): Promise<void> {
    const parsed = WebviewToHost.safeParse(raw);
    if (!parsed.success) {
      const type = raw && typeof raw === 'object' && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
      this.deps.log.warn(`panel: dropped a malformed message (${type}): ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return;
    }
    const m = parsed.data;
    if (m.type === 'ready') {
      this.ready = true;
      this.pushLive();
      return;
    }
    // A request before ready cannot be answered (nothing is sent before ready); the webview only
    // sends requests after ready, so this is a misbehaving page.
    if (!this.ready) {
      this.deps.log.warn(`panel: dropped ${m.type} received before ready`);
      return;
    }
    try {
      switch (m.type) {
        case 'listRuns': {
          const page = this.deps.queries.listRuns({ offset: m.offset, limit: m.limit, ...(m.agent ? { agent: m.agent } : {}) });
          this.send({ type: 'runs', requestId: m.requestId, offset: m.offset, total: page.total, rows: page.rows, agents: this.deps.queries.agents() });
          return;
        }
        case 'openRun': {
          const run = this.deps.queries.run(m.runId);
          if (!run) throw new Error(`no run ${m.runId}`);
          this.openRun = { id: run.id, lastSeq: this.deps.queries.lastSeq(run.id) ?? 0 };
          this.send({ type: 'runOpened', requestId: m.requestId, run });
          return;
        }
        case 'pageSteps': {
          const page = this.deps.queries.pageSteps(m.runId, m.filters, m.offset, m.limit);
          this.send({ type: 'steps', requestId: m.requestId, runId: m.runId, offset: m.offset, total: page.total, rows: page.rows });
          return;
        }
        case 'stepDetail': {
          const detail = this.deps.queries.stepDetail(m.stepId);
          if (!detail) throw new Error(`no step ${m.stepId}`);
          this.send({ type: 'stepDetail', requestId: m.requestId, detail });
          return;
        }
        case 'exportRun': {
          const run = this.deps.queries.run(m.runId);
          if (!run) throw new Error(`no run ${m.runId}`);
          const target = await this.ui.pickExportTarget(`airlock-run-${run.agent}-${run.startedAt.slice(0, 19).replace(/[:T]/g, '-')}.json`);
          if (!target) {
            this.send({ type: 'exported', requestId: m.requestId });
            return;
          }
          await this.ui.writeExport(target, this.deps.queries.exportRun(run.id));
          this.deps.log.info(`panel: exported run ${run.id} (${run.steps} steps) to ${target}`);
          this.send({ type: 'exported', requestId: m.requestId, path: target, steps: run.steps });
          return;
        }
        case 'listDeadLetters': {
          const port = this.deps.deadLetters;
          if (!port) {
            this.send({ type: 'deadLetters', requestId: m.requestId, available: false, rows: [], message: 'dead letters are not available in this window' });
            return;
          }
          this.send({ type: 'deadLetters', requestId: m.requestId, available: true, rows: port.list().slice(0, MAX_DEAD_LETTERS) });
          return;
        }
        case 'deadLetterAction': {
          const port = this.deps.deadLetters;
          if (!port) throw new Error('dead letters are not available in this window');
          if (m.action === 'discard') {
            port.discard(m.id);
            this.deps.log.info(`panel: discarded dead letter ${m.id}`);
            this.send({ type: 'deadLetterDone', requestId: m.requestId, id: m.id, action: m.action, ok: true, message: `dead letter ${m.id} discarded` });
            return;
          }
          const r = await port.retry(m.id);
          this.deps.log.info(`panel: retried dead letter ${m.id}: ${r.message}`);
          this.send({ type: 'deadLetterDone', requestId: m.requestId, id: m.id, action: m.action, ok: r.ok, message: r.message.slice(0, 4000) });
          return;
        }
        case 'undo': {
          if (!this.deps.undo) throw new Error('undo is not available in this window');
          const r = await this.deps.undo(m.runId, m.stepId, m.scope);
          this.deps.log.info(`panel: undo (${m.scope}) of ${m.stepId}: ${r.message}`);
          this.send({ type: 'undone', requestId: m.requestId, stepId: m.stepId, ok: r.ok, message: r.message.slice(0, 4000) });
          return;
        }
        case 'decide': {
          const card = this.deps.pending().find((c) => c.stepId === m.stepId);
          const refuse = (message: string): void => {
            this.deps.log.warn(`panel: refused ${m.decision} for ${m.stepId}: ${message}`);
            this.send({ type: 'decided', requestId: m.requestId, stepId: m.stepId, ok: false, message });
          };
          if (!card) return refuse('this approval is no longer pending (answered, expired or denied by the kill switch)');
          if (card.actionHash !== m.actionHash) return refuse('the action changed since the card was shown: review it again');
          if (m.decision === 'allow') {
            if ((card.irreversible || card.securityConfig) && m.gesture !== 'typed') return refuse('irreversible and security-config actions need the typed confirmation');
            if (m.scope === 'run' && !card.cacheable) return refuse('"allow for this run" is not available for this action');
            if (Date.now() > card.deadlineAt) return refuse('the deadline passed: the gate denied it');
          }
          const ok = this.deps.decide(m.stepId, { decision: m.decision, scope: m.scope, gesture: m.gesture, actionHash: m.actionHash });
          if (!ok) return refuse('this approval is no longer pending');
          this.deps.log.info(`panel: ${m.decision} ${m.stepId} (${m.gesture}, ${m.scope})`);
          this.send({ type: 'decided', requestId: m.requestId, stepId: m.stepId, ok: true });
          this.pushLive();
          return;
        }
      }
    } catch (e) {
      this.deps.log.warn(`panel: ${m.type} failed: ${(e as Error).message}`);
      this.send({ type: 'error', requestId: m.requestId, message: (e as Error).message });
    }
  }
}
