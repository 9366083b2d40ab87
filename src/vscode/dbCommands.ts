/**
 * Database connections configured in Airlock, and undo of database changes, in the editor:
 *
 * - "Airlock: Add Database Connection…": name, URL (a password input: never echoed), read-only or
 *   not; validated by opening it once (node/dbConnections.ts); the URL goes to VS Code's secret
 *   storage, the name/dialect/read-only list to globalState. Agents only ever see names.
 * - "Airlock: Remove Database Connection…".
 * - "Airlock: Undo Database Change…": a QuickPick of recent before-images (table, rows, time), then
 *   node/dbUndo.ts through this window's gate (so the undo is judged and recorded like any write).
 *
 * After a change the connections are handed to the editor's language model tools and the MCP
 * server definition is refreshed (the server gets them through its own environment).
 */
import * as vscode from 'vscode';

export interface DbConnectionInfo {
  name: string;
  dialect: string;
  readOnly: boolean;
}

/** Built in extension.ts from node/dbConnections.ts (ConnectionRegistry over context.secrets and globalState). */
export interface DbRegistryPort {
  connections(): DbConnectionInfo[];
  add(name: string, url: string, readOnly: boolean): Promise<{ ok: true; info: DbConnectionInfo } | { ok: false; error: string }>;
  remove(name: string): Promise<boolean>;
}

export interface UndoableEntry {
  target: string;
  connection: string;
  tables: string[];
  rows: number;
  truncated: boolean;
  createdAt: string;
  undoneAt: string | null;
}

export interface DbCommandsPort {
  registry: DbRegistryPort;
  /** Hand the configured connections to everything that uses them (language model tools, MCP definition). */
  refresh(): Promise<void>;
  /** Recent undoable writes; undefined when the effect store cannot open. */
  recent(): UndoableEntry[] | undefined;
  /** node/dbUndo.ts through this window's gate. */
  undo(target: string, requestedBy: string): Promise<{ ok: true; rowsRestored: number; tables: string[]; connection: string; replayed: boolean } | { ok: false; code: string; message: string }>;
}

export async function registerDbCommands(context: vscode.ExtensionContext, port: DbCommandsPort, log: vscode.LogOutputChannel): Promise<void> {
  const registry = port.registry;
  const refresh = (): Promise<void> => port.refresh();

  context.subscriptions.push(
    vscode.commands.registerCommand('airlock.addDbConnection', async () => {
      const name = await vscode.window.showInputBox({ title: 'Airlock: Add Database Connection (1/3)', prompt: 'The name agents use for this connection', placeHolder: 'main', ignoreFocusOut: true, validateInput: (v) => (/^[A-Za-z][\w.-]{0,63}$/.test(v) ? undefined : 'letters, digits, _ . - (starting with a letter), at most 64') });
      if (!name) return;
      const url = await vscode.window.showInputBox({ title: 'Airlock: Add Database Connection (2/3)', prompt: 'Connection URL: sqlite:///absolute/path.db or postgres://user:password@host:port/db (kept in VS Code\'s secret storage, never shown to agents)', password: true, ignoreFocusOut: true });
      if (!url) return;
      const ro = await vscode.window.showQuickPick([{ label: 'Read-only', description: 'the database session itself is read-only', readOnly: true }, { label: 'Read and write', description: 'writes go through the gate (dry run, approval, before-images)', readOnly: false }], { title: 'Airlock: Add Database Connection (3/3)', ignoreFocusOut: true });
      if (!ro) return;
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Airlock: opening ${name}…` }, () => registry.add(name, url, ro.readOnly));
      if (!r.ok) {
        void vscode.window.showErrorMessage(`Airlock: connection ${name} was not added: ${r.error}`);
        return;
      }
      log.info(`database connection ${name} added (${r.info.dialect}${r.info.readOnly ? ', read-only' : ''})`);
      await refresh();
      void vscode.window.showInformationMessage(`Airlock: database connection ${name} added (${r.info.dialect}${r.info.readOnly ? ', read-only' : ''}).`);
    }),
    vscode.commands.registerCommand('airlock.removeDbConnection', async () => {
      const list = registry.connections();
      if (list.length === 0) {
        void vscode.window.showInformationMessage('Airlock: no database connections are configured.');
        return;
      }
      const pick = await vscode.window.showQuickPick(list.map((c) => ({ label: c.name, description: `${c.dialect}${c.readOnly ? ', read-only' : ''}` })), { title: 'Airlock: Remove Database Connection' });
      if (!pick) return;
      await registry.remove(pick.label);
      log.info(`database connection ${pick.label} removed`);
      await refresh();
    }),
    vscode.commands.registerCommand('airlock.undoDbChange', async () => {
      const recent = port.recent();
      if (!recent) {
        void vscode.window.showErrorMessage('Airlock: the effect store (where before-images are kept) could not open; nothing can be undone here.');
        return;
      }
      if (recent.length === 0) {
        void vscode.window.showInformationMessage('Airlock: no database change with saved before-images yet.');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        recent.map((r) => ({ label: `${r.tables.join(', ')}: ${r.rows} row(s)`, description: `${r.connection} · ${new Date(r.createdAt).toLocaleString()}`, detail: r.undoneAt ? `undone ${new Date(r.undoneAt).toLocaleString()}` : r.truncated ? 'not saved in full: cannot be undone' : `step ${r.target}`, target: r.target })),
        { title: 'Airlock: Undo Database Change', placeHolder: 'Restore the rows an approved write changed' },
      );
      if (!pick) return;
      const r = await port.undo(pick.target, 'Airlock: Undo Database Change (editor command)');
      if (r.ok) void vscode.window.showInformationMessage(`Airlock: ${r.replayed ? 'already undone: ' : ''}${r.rowsRestored} row(s) restored in ${r.tables.join(', ')} (${r.connection}).`);
      else void vscode.window.showErrorMessage(`Airlock: undo refused (${r.code}): ${r.message}`);
    }),
  );
  await refresh().catch((e: unknown) => log.error(`database connections: ${(e as Error).message}`));
}
