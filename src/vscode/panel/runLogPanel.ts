/**
 * The run log panel in VS Code: a WebviewPanel ('airlock.runLog') opened by `airlock.openRunLog`,
 * bound to the vscode-free RunLogController. The panel owns its disposables; closing it disposes
 * the controller. Only `dist/webview` and `media` are readable by the webview.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as vscode from 'vscode';
import { RunLogController, type PanelUi, type RunLogDeps } from './controller';
import { runLogHtml } from './html';

export const RUN_LOG_VIEW_TYPE = 'airlock.runLog';
export const OPEN_RUN_LOG_COMMAND = 'airlock.openRunLog';

/** Write export chunks to a file, waiting for the stream to drain so 100,000 steps never sit in memory. */
async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8', mode: 0o600 });
  const done = new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('finish', resolve);
  });
  try {
    for (const c of chunks) if (!out.write(c)) await new Promise<void>((r) => out.once('drain', r));
  } finally {
    out.end();
  }
  await done;
}

const vscodeUi: PanelUi = {
  async pickExportTarget(name) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Export run', ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}) });
    if (!uri) return undefined;
    if (uri.scheme !== 'file') throw new Error(`exports are written to local files only (got ${uri.scheme}:)`);
    return uri.fsPath;
  },
  writeExport: writeChunks,
};

class RunLogPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly controller: RunLogController;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    deps: RunLogDeps,
    onDispose: () => void,
  ) {
    const webview = panel.webview;
    this.controller = new RunLogController(deps, vscodeUi, (m) => void webview.postMessage(m));
    const asset = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
    webview.html = runLogHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64url'),
      scriptUri: asset('dist', 'webview', 'runLog.js'),
      styleUris: [asset('dist', 'webview', 'codicon.css'), asset('media', 'runLog.css')],
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => void this.controller.receive(m)),
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
      this.controller,
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Register the run log panel and its command. Returns nothing: everything is owned by context.subscriptions. */
export function registerRunLogPanel(context: vscode.ExtensionContext, deps: RunLogDeps): void {
  let current: RunLogPanel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_RUN_LOG_COMMAND, () => {
      if (current) {
        current.panel.reveal();
        return;
      }
      const panel = vscode.window.createWebviewPanel(RUN_LOG_VIEW_TYPE, 'Airlock Run Log', vscode.ViewColumn.Active, {
        enableScripts: true,
        enableCommandUris: false,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(context.extensionUri, 'media')],
      });
      panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'airlock.svg');
      current = new RunLogPanel(panel, context.extensionUri, deps, () => (current = undefined));
    }),
    { dispose: () => current?.panel.dispose() },
  );
}
