/**
 * Approvals where the person looks: a notification for every pending ask, a diff editor of the
 * proposed content for file writes and edits (Approve / Reject in the editor title), a review
 * document with everything (effect, exact text with invisibles revealed, the agent's unverified
 * description), and for irreversible or security-config actions a modal whose approve path needs
 * the person to type a word: no default button approves, Enter alone never does.
 *
 * Every approval carries the hash of the action that was shown; the queue and the gate refuse an
 * approval for anything else. The deadline denies; nothing here approves on a timeout.
 *
 * Other extensions can run any command (T68): the Approve command (the title bar of a proposed
 * change, the palette, or anyone's `executeCommand`) approves nothing by itself; it opens Airlock's
 * own confirmation, which only a person can answer (core/run/editorApproval.ts). Every approval
 * records the way it was given.
 */
import * as vscode from 'vscode';
import type { Action, FileAction } from '../core/action';
import type { EditorConfig } from '../core/config';
import { actionHashOf } from '../core/hash';
import { trustCandidates, type TrustStore } from '../core/trust';
import { confirmationWord, presentApproval, type ApprovalView } from '../core/approvalView';
import { diffStats, formatDiffStats, proposedContent } from '../core/proposed';
import { grantable } from '../core/run/allowRules';
import type { ApprovalQueue, ApprovalRequest, DecideResult } from '../core/run/approver';
import { approveByCommand, approvedBy, type ApprovalWay } from '../core/run/editorApproval';

export const PROPOSED_SCHEME = 'airlock-proposed';
/** Longest exact text put inside a notification; longer or multi-line text is approved from the review view only. */
const INLINE_MAX = 300;
const BY = 'a person in VS Code';
const by = (way: ApprovalWay): string => approvedBy(way, BY);

export interface ApprovalPorts {
  queue: ApprovalQueue;
  log: vscode.LogOutputChannel;
  config: () => EditorConfig;
  /** The person's trust for this workspace: asks about programs nothing is known of offer "Trust X in this workspace". */
  trust?: TrustStore;
}

interface Shown {
  req: ApprovalRequest;
  view: ApprovalView;
  /** Hash of the action as shown (what an approval is bound to). */
  shownHash: string;
  review: string;
  proposed?: string;
  current?: string;
  stats?: string;
}

function fileAction(a: Action | undefined): FileAction | undefined {
  return a?.kind === 'file' && (a.op === 'write' || a.op === 'create' || a.op === 'edit') ? a : undefined;
}

function stepUri(stepId: string, side: 'proposed' | 'current' | 'review', path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PROPOSED_SCHEME, path, query: new URLSearchParams({ step: stepId, side }).toString() });
}

function stepOf(uri: vscode.Uri | undefined): string | undefined {
  if (!uri || uri.scheme !== PROPOSED_SCHEME) return undefined;
  return new URLSearchParams(uri.query).get('step') ?? undefined;
}

function reviewText(s: Pick<Shown, 'req' | 'view' | 'stats'>): string {
  const { req, view } = s;
  const lines = [
    `Airlock: ${req.agent} asks to run a ${req.toolName} call`,
    view.critical ? '*** IRREVERSIBLE OR SECURITY-SENSITIVE: approving needs you to type a word ***' : 'Routine approval',
    '',
    'WHAT IT WOULD DO (derived by Airlock, not by the agent)',
    `  ${view.summary.headline}`,
    ...view.summary.lines.map((l) => `  - ${l}`),
    ...(view.summary.badges.length ? [`  flags: ${view.summary.badges.join(', ')}`] : []),
    ...(s.stats ? [`  change: ${s.stats}`] : []),
    '',
    `EXACTLY WHAT WOULD RUN: ${view.exact.label}`,
    ...(view.exact.warning ? [`  WARNING: ${view.exact.warning}`] : []),
    '----------------------------------------------------------------',
    view.exact.text,
    '----------------------------------------------------------------',
    '',
    'WHY AIRLOCK ASKS',
    ...view.reasons.map((r) => `  - ${r}`),
    '',
    view.claim ?? 'The agent gave no description.',
    '',
    ...(req.decision.files?.length ? ['', 'FILES AIRLOCK READ TO JUDGE THIS (the approval is bound to their content)', ...req.decision.files.map((f) => `  ${f.path}  sha256 ${f.sha256.slice(0, 16)}`)] : []),
    '',
    `Run ${req.runId} · step ${req.stepId} · action hash ${s.req.action ? actionHashOf(s.req.action, req.decision.files).slice(0, 16) : req.decision.actionHash.slice(0, 16)}`,
    'Approve or Reject with the buttons in this editor title bar. No answer by the deadline = denied.',
  ];
  return lines.join('\n');
}

export function registerApprovals(context: vscode.ExtensionContext, ports: ApprovalPorts): void {
  const shown = new Map<string, Shown>();
  const changed = new vscode.EventEmitter<vscode.Uri>();

  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent(uri) {
      const q = new URLSearchParams(uri.query);
      const s = shown.get(q.get('step') ?? '');
      if (!s) return 'Airlock: this request is no longer pending (answered, denied at its deadline, or killed).';
      const side = q.get('side');
      if (side === 'proposed') return s.proposed ?? '';
      if (side === 'current') return s.current ?? '';
      return s.review;
    },
  };

  const report = (r: DecideResult, s: Shown): void => {
    if (r === 'decided') return;
    const msg =
      r === 'gone' ? 'Airlock: that request was already answered (its deadline passed, the kill switch was pulled, or it was decided elsewhere).'
      : r === 'changed' ? 'Airlock: the action changed after it was shown to you; it was NOT approved. Review the new one.'
      : 'Airlock: "allow for this run" is only for reversible actions; this one was not approved.';
    ports.log.warn(`${s.req.stepId}: ${r}`);
    void vscode.window.showWarningMessage(msg);
  };

  /** The typed word for a critical ask (an input box no extension can fill): true when typed exactly. */
  const typedWord = async (s: Shown): Promise<boolean> => {
    const word = confirmationWord(s.req.action);
    const typed = await vscode.window.showInputBox({
      title: 'Airlock: approve an IRREVERSIBLE or security-sensitive action',
      prompt: `${s.view.summary.headline}. Type "${word}" to approve (Escape cancels; it stays pending).`,
      placeHolder: word,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === word ? undefined : `Type ${word} exactly to approve`),
    });
    return typed?.trim() === word;
  };

  /** Approve from Airlock's own notification (its buttons call this directly; no command involved). */
  const approve = async (stepId: string): Promise<void> => {
    const s = shown.get(stepId);
    if (!s) {
      void vscode.window.showWarningMessage('Airlock: that request is no longer pending.');
      return;
    }
    if (s.view.critical && !(await typedWord(s))) return;
    const r = ports.queue.decide(stepId, { decision: 'allow', by: by(s.view.critical ? 'typed-word' : 'notification'), actionHash: s.shownHash });
    ports.log.info(`${stepId}: approve -> ${r}`);
    report(r, s);
  };

  /**
   * Airlock's confirmation behind the Approve command: whoever ran the command, a person answers
   * here (a modal with the effect and the exact text; the typed word for critical asks).
   */
  const confirmCommand = async (stepId: string): Promise<'confirm-dialog' | 'typed-word' | undefined> => {
    const s = shown.get(stepId);
    if (!s) return undefined;
    if (s.view.critical) return (await typedWord(s)) ? 'typed-word' : undefined;
    const inline = s.view.exact.text.length <= INLINE_MAX && !s.view.exact.text.includes('\n');
    const pick = await vscode.window.showWarningMessage(
      `Airlock: approve what ${s.req.agent} asks?`,
      {
        modal: true,
        detail: [s.view.summary.headline, ...s.view.summary.lines.map((l) => `• ${l}`), ...(s.stats ? [`Change: ${s.stats}`] : []), '', inline ? `${s.view.exact.label}: ${s.view.exact.text}` : `${s.view.exact.label}: ${s.view.exact.text.length} characters (see the review)`, '', 'Approve only if you chose Approve yourself: other extensions can run Airlock\'s commands, only this dialog approves.'].join('\n'),
      },
      'Approve',
    );
    return pick === 'Approve' ? 'confirm-dialog' : undefined;
  };

  const reject = (stepId: string): void => {
    const s = shown.get(stepId);
    const r = ports.queue.decide(stepId, { decision: 'deny', reason: `rejected by ${BY}` });
    ports.log.info(`${stepId}: reject -> ${r}`);
    if (s) report(r, s);
  };

  const allowForRun = (stepId: string): void => {
    const s = shown.get(stepId);
    if (!s) return;
    const r = ports.queue.allowForRun(stepId, s.shownHash, by('allow-for-run'));
    ports.log.info(`${stepId}: allow for this run -> ${r}`);
    report(r, s);
  };

  /** "Trust X in this workspace": store the person's trust, then approve this step (bound to what was shown). */
  const trustAndApprove = async (stepId: string, program: string): Promise<void> => {
    const s = shown.get(stepId);
    if (!s || !ports.trust) return;
    const r = ports.trust.add(program, { by: BY });
    if (!r.ok) {
      void vscode.window.showWarningMessage(`Airlock: could not trust ${program}: ${r.error}`);
      return;
    }
    ports.log.info(`${stepId}: trusted ${program} in ${ports.trust.workspace} as ${r.entry.class} (trust ${r.entry.id})`);
    const d = ports.queue.decide(stepId, { decision: 'allow', by: `${by('trust')} and trusted ${program} in this workspace`, actionHash: s.shownHash });
    report(d, s);
  };
  const trustLabel = (p: string): string => `Trust ${p} in This Workspace`;

  const openReview = async (stepId: string): Promise<void> => {
    const s = shown.get(stepId);
    if (!s) return;
    const doc = await vscode.workspace.openTextDocument(stepUri(stepId, 'review', `/Airlock review ${s.req.agent} ${stepId.slice(-8)}.txt`));
    await vscode.window.showTextDocument(doc, { preview: false });
  };

  const openDiff = async (s: Shown, f: FileAction): Promise<void> => {
    const left = s.current !== undefined ? vscode.Uri.file(f.path) : stepUri(s.req.stepId, 'current', f.path);
    const right = stepUri(s.req.stepId, 'proposed', f.path);
    const name = f.path.split('/').pop() ?? f.path;
    await vscode.commands.executeCommand('vscode.diff', left, right, `Airlock: proposed ${f.op} of ${name} (${s.stats ?? 'new file'}) — Approve or Reject`, { preview: false, preserveFocus: true });
  };

  const notify = async (s: Shown): Promise<void> => {
    const { req, view } = s;
    const secs = Math.max(0, Math.round((req.deadlineAt - Date.now()) / 1000));
    const inline = view.exact.text.length <= INLINE_MAX && !view.exact.text.includes('\n');
    const where = s.proposed !== undefined && ports.config().openDiff ? 'the diff editor (Approve in its title) or Review…' : 'Review…';
    const exact = inline ? `${view.exact.label}: ${view.exact.text}` : `${view.exact.label}: ${view.exact.text.length} characters in ${view.exact.text.split('\n').length} line(s), approve it from ${where}`;
    // The exact text is never followed directly by other words (it would read as part of it): an em dash separates them.
    const parts = [`Airlock: ${view.title}.`, exact, '—', view.exact.warning, s.stats ? `Change: ${s.stats}.` : '', view.claim ?? '', `Answer within ${secs} s or it is denied.`].filter((p) => p);
    const trustable = ports.trust ? trustCandidates(req.decision).slice(0, 1) : [];
    const trustButtons = trustable.map(trustLabel);
    if (view.critical) {
      // Modal, no approving default: the first button only opens a box where the person types a word.
      const pick = await vscode.window.showWarningMessage(
        `Airlock: ${req.agent} wants to do something IRREVERSIBLE or security-sensitive`,
        { modal: true, detail: [`${view.summary.headline}`, ...view.summary.lines.map((l) => `• ${l}`), '', ...(inline ? [`${view.exact.label}:`, `    ${view.exact.text}`] : [exact]), view.exact.warning, view.claim ?? '', `Answer within ${secs} s or it is denied.`].filter((p) => p).join('\n') },
        'Type to Approve…',
        'Review in Editor',
        'Reject',
        ...trustButtons,
      );
      if (pick && trustButtons.includes(pick)) return trustAndApprove(req.stepId, trustable[trustButtons.indexOf(pick)]!);
      if (pick === 'Type to Approve…') {
        if (!inline) return openReview(req.stepId);
        return approve(req.stepId);
      }
      if (pick === 'Review in Editor') return openReview(req.stepId);
      if (pick === 'Reject') return reject(req.stepId);
      return; // dismissed: stays pending (status bar count), denied at the deadline
    }
    const grant = ports.config().allowForRunEnabled && grantable(req.decision);
    const buttons = inline ? ['Approve', ...(grant ? ['Allow for This Run'] : []), ...trustButtons, 'Reject', 'Review…'] : ['Review…', ...trustButtons, 'Reject'];
    const pick = await vscode.window.showWarningMessage(parts.join(' '), ...buttons);
    if (pick && trustButtons.includes(pick)) return trustAndApprove(req.stepId, trustable[trustButtons.indexOf(pick)]!);
    if (pick === 'Approve') return approve(req.stepId);
    if (pick === 'Allow for This Run') return allowForRun(req.stepId);
    if (pick === 'Reject') return reject(req.stepId);
    if (pick === 'Review…') return openReview(req.stepId);
  };

  const onPending = async (req: ApprovalRequest): Promise<void> => {
    const view = presentApproval({ agent: req.agent, toolName: req.toolName, reasons: req.decision.reasons, reversibility: req.decision.reversibility, effects: req.decision.effects, flags: req.decision.flags, ...(req.action ? { action: req.action } : {}), ...(req.description ? { description: req.description } : {}) });
    const s: Shown = { req, view, shownHash: req.action ? actionHashOf(req.action, req.decision.files) : req.decision.actionHash, review: '' };
    const f = fileAction(req.action);
    if (f) {
      try {
        s.current = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(f.path)));
      } catch {
        s.current = undefined;
      }
      const p = proposedContent(f, s.current);
      if (p.ok) {
        s.proposed = p.text;
        s.stats = formatDiffStats(diffStats(s.current ?? '', p.text));
      } else s.stats = `no diff: ${p.reason}`;
    }
    s.review = reviewText(s);
    shown.set(req.stepId, s);
    ports.log.info(`pending ${req.stepId}: ${view.title}`);
    if (f && s.proposed !== undefined && ports.config().openDiff) void openDiff(s, f).catch((e: unknown) => ports.log.error(`diff editor failed: ${(e as Error).message}`));
    await notify(s);
  };

  const closeTabs = async (stepId: string): Promise<void> => {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => {
      const i = t.input;
      if (i instanceof vscode.TabInputTextDiff) return stepOf(i.modified) === stepId || stepOf(i.original) === stepId;
      if (i instanceof vscode.TabInputText) return stepOf(i.uri) === stepId;
      return false;
    });
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
  };

  const unsubscribe = ports.queue.subscribe({
    pending: (req) => void onPending(req).catch((e: unknown) => ports.log.error(`showing approval ${req.stepId} failed: ${(e as Error).message} (it stays pending and is denied at its deadline)`)),
    settled: (stepId, answer) => {
      if (!shown.has(stepId)) return;
      ports.log.info(`settled ${stepId}: ${answer.decision === 'allow' ? `allowed by ${answer.by}` : `denied: ${answer.reason}`}`);
      shown.delete(stepId);
      void closeTabs(stepId);
    },
  });

  const fromArg = (arg: unknown): string | undefined => (arg instanceof vscode.Uri ? stepOf(arg) : typeof arg === 'string' ? arg : stepOf(vscode.window.activeTextEditor?.document.uri));

  context.subscriptions.push(
    { dispose: unsubscribe },
    changed,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, provider),
    vscode.commands.registerCommand('airlock.approveProposed', async (arg?: unknown) => {
      // Any extension can run this: it approves only what a person confirms in Airlock's dialog.
      const id = fromArg(arg);
      const before = id ? shown.get(id) : undefined;
      const r = await approveByCommand(id, {
        queue: ports.queue,
        shown: (id) => {
          const s = shown.get(id);
          return s ? { shownHash: s.shownHash, critical: s.view.critical } : undefined;
        },
        confirm: (id) => confirmCommand(id),
        log: (line) => ports.log.warn(line),
        who: BY,
      });
      if (r.outcome === 'approved' && before) report(r.result, before);
    }),
    vscode.commands.registerCommand('airlock.rejectProposed', (arg?: unknown) => {
      const id = fromArg(arg);
      if (id) reject(id);
    }),
    vscode.commands.registerCommand('airlock.reviewPending', async () => {
      const list = [...shown.values()];
      if (list.length === 0) {
        void vscode.window.showInformationMessage('Airlock: nothing is waiting for your approval.');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        list.map((s) => ({ label: `${s.view.critical ? '$(warning) ' : ''}${s.view.title}`, detail: s.view.exact.text.split('\n')[0], id: s.req.stepId })),
        { title: 'Airlock: pending approvals', placeHolder: 'Choose one to review' },
      );
      if (pick) await notify(shown.get(pick.id)!);
    }),
  );
}
