/**
 * Policy acknowledgement in the editor: when the workspace policy (.airlock/policy.json) would
 * loosen the person's own policy, the gate ignores those entries until the person accepts that exact
 * file content. On activation and whenever the file changes, a notification says how many things it
 * would permit; "Review…" opens a read-only document listing them (rule ids, matches, decisions) and
 * the content's SHA-256; "Accept this exact file" records that hash (bound to what was shown: a file
 * changed in between is refused).
 *
 * The reading and recording live in node/workspacePolicyReview.ts (composed in extension.ts).
 */
import * as vscode from 'vscode';
import { personConfirms } from './gesture';
import { needsAcceptance, renderReview, reviewHeadline, type PolicyReview } from '../core/policy/review';

export const REVIEW_SCHEME = 'airlock-policy-review';

export interface WorkspacePolicyPort {
  /** The first workspace root (watched for .airlock/policy.json). */
  root?: string;
  review(): PolicyReview | undefined;
  accept(reviewedHash: string): { ok: true } | { ok: false; reason: string };
}

export function registerWorkspacePolicyReview(context: vscode.ExtensionContext, port: WorkspacePolicyPort, log: vscode.LogOutputChannel): void {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const shown = new Map<string, PolicyReview>();
  context.subscriptions.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri) => {
        const hash = new URLSearchParams(uri.query).get('sha256') ?? '';
        const r = shown.get(hash);
        return r ? renderReview(r) : `# Workspace policy review\n\nThe review of content ${hash} is no longer available: run "Airlock: Review Workspace Policy" again.\n`;
      },
    }),
  );

  const open = async (r: PolicyReview): Promise<void> => {
    shown.set(r.hash, r);
    const uri = vscode.Uri.from({ scheme: REVIEW_SCHEME, path: '/workspace-policy-review.md', query: `sha256=${r.hash}` });
    changed.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    try {
      doc = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    } catch {
      // plain text is fine
    }
    await vscode.window.showTextDocument(doc, { preview: false });
  };

  const accept = async (hash: string): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Airlock: trust this workspace first; an untrusted workspace\'s policy can only tighten the gate.');
      return;
    }
    const r = port.accept(hash);
    if (r.ok) {
      log.info(`workspace policy accepted by a person: sha256 ${hash}`);
      void vscode.window.showInformationMessage(`Airlock: accepted the workspace policy (sha256 ${hash.slice(0, 12)}…). If the file changes, you will be asked again.`);
    } else {
      log.warn(`workspace policy NOT accepted: ${r.reason}`);
      void vscode.window.showWarningMessage(`Airlock: ${r.reason}.`);
    }
  };

  /** Review, then offer acceptance of exactly what was shown. */
  const reviewAndOffer = async (r: PolicyReview): Promise<void> => {
    await open(r);
    if (!needsAcceptance(r)) return;
    const pick = await vscode.window.showWarningMessage(`Accept this exact file (sha256 ${r.hash.slice(0, 12)}…)? It would permit ${r.items.length} thing(s) your policy denies today.`, { modal: true }, 'Accept this exact file');
    if (pick === 'Accept this exact file') await accept(r.hash);
  };

  let lastNotified = '';
  const check = async (why: string): Promise<void> => {
    let r: PolicyReview | undefined;
    try {
      r = port.review();
    } catch (e) {
      log.error(`workspace policy review failed (${why}): ${(e as Error).message}`);
      return;
    }
    if (!r) return;
    if (r.error) log.warn(`workspace policy ${r.path} is not valid: ${r.error}`);
    if (!needsAcceptance(r) || r.hash === lastNotified) return;
    lastNotified = r.hash;
    log.info(`workspace policy ${r.path} (sha256 ${r.hash}) has ${r.items.length} loosening(s) ignored until accepted: ${r.items.map((i) => i.what).join('; ')}`);
    const pick = await vscode.window.showWarningMessage(`Airlock: ${reviewHeadline(r)}.`, 'Review…', 'Keep Ignoring');
    if (pick === 'Review…') await reviewAndOffer(r);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('airlock.reviewWorkspacePolicy', async () => {
      const r = port.review();
      if (!r) {
        void vscode.window.showInformationMessage('Airlock: this workspace has no .airlock/policy.json.');
        return;
      }
      await reviewAndOffer(r);
    }),
    vscode.commands.registerCommand('airlock.acceptWorkspacePolicy', async (uri?: vscode.Uri) => {
      // From the review document's title bar: bound to the hash in the shown document's URI.
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      const hash = target?.scheme === REVIEW_SCHEME ? new URLSearchParams(target.query).get('sha256') : null;
      if (!hash) {
        void vscode.window.showWarningMessage('Airlock: open the workspace policy review first ("Airlock: Review Workspace Policy").');
        return;
      }
      // Any extension can run this command with a URI it made: the person confirms in Airlock's modal.
      const r = shown.get(hash);
      if (!r) {
        void vscode.window.showWarningMessage('Airlock: that review is no longer open; review the workspace policy again.');
        return;
      }
      if (!(await personConfirms(`Airlock: accept this exact workspace policy file (sha256 ${hash.slice(0, 12)}…)?`, `It would permit ${r.items.length} thing(s) your policy denies today:\n${r.items.map((i) => `• ${i.what}`).join('\n')}`, 'Accept this exact file', log))) return;
      await accept(hash);
    }),
  );

  if (port.root) {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(port.root), '.airlock/policy.json'));
    context.subscriptions.push(watcher, watcher.onDidChange(() => void check('changed')), watcher.onDidCreate(() => void check('created')), watcher.onDidDelete(() => (lastNotified = '')));
  }
  void check('activation');
}
