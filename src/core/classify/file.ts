/**
 * File actions (an agent's Read/Write/Edit/Delete tools, MCP file tools, `airlock check --file`).
 *
 * The effect depends on the canonical target and on what exists there, never on the verb alone
 * (CVE-2025-54135: creating a protected dotfile must be judged like editing it).
 */
import type { FileAction } from '../action';
import { summarize, type Classification, type Effect, type Reversibility } from '../effects';
import { inspectPath, type Environment, type PathInfo } from '../paths';

/** npm lifecycle scripts run code at install time: adding one is a security-config change. */
const LIFECYCLE_KEYS = /"(pre|post)?(install|uninstall|publish|prepublish|prepublishOnly|prepare|pack|version)"\s*:/;

function baseFlags(info: PathInfo): Pick<Effect, 'outsideWorkspace' | 'securityConfig' | 'secrets'> {
  const f: Pick<Effect, 'outsideWorkspace' | 'securityConfig' | 'secrets'> = {};
  if (!info.insideWorkspace && !info.inTemp) f.outsideWorkspace = true;
  if (info.securityConfig) f.securityConfig = true;
  if (info.secrets) f.secrets = true;
  return f;
}

function where(info: PathInfo): string {
  const notes: string[] = [];
  if (info.critical) notes.push(info.critical);
  if (info.securityConfig) notes.push(`security config: ${info.securityConfig}`);
  if (info.secrets) notes.push(`secrets: ${info.secrets}`);
  if (!info.insideWorkspace) notes.push(info.inTemp ? 'temp folder' : 'outside the workspace');
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** Reversibility of destroying or replacing existing content at `info`. */
function lossReversibility(info: PathInfo): Reversibility {
  return info.inTemp ? 'recoverable' : 'irreversible';
}

function writesLifecycleScript(action: FileAction, info: PathInfo): boolean {
  if (!info.abs.toLowerCase().endsWith('/package.json')) return false;
  const text = `${action.content ?? ''}\n${action.newString ?? ''}`;
  return LIFECYCLE_KEYS.test(text);
}

/** Classify a file action. Never throws for a schema-valid action. */
export function classifyFile(action: FileAction, env: Environment): Classification {
  const scoped: Environment = { ...env, cwd: action.cwd, workspaceRoots: action.workspaceRoots.length ? action.workspaceRoots : env.workspaceRoots };
  const info = inspectPath(action.path, scoped);
  const flags = baseFlags(info);
  const effects: Effect[] = [];
  const src = `file.${action.op}`;
  switch (action.op) {
    case 'read':
      effects.push({ kind: 'read', reversibility: 'read', target: info.abs, source: src, detail: `reads ${info.abs}${where(info)}`, ...flags });
      break;
    case 'create':
    case 'write': {
      // Writing over an existing file loses its content unless Airlock snapshots it first.
      const overwrite = info.exists && !info.isDir;
      const rev: Reversibility = overwrite ? lossReversibility(info) : 'reversible';
      effects.push({
        kind: overwrite ? 'overwrite' : 'create',
        reversibility: rev,
        target: info.abs,
        source: src,
        detail: `${overwrite ? 'overwrites' : 'creates'} ${info.abs}${where(info)}`,
        ...flags,
        // A new file too: its checkpoint records that it did not exist (undo removes it).
        ...(info.insideWorkspace ? { snapshotable: true } : {}),
      });
      break;
    }
    case 'edit': {
      // An edit carries its own inverse (new text back to old text), which the ledger records; a checkpoint makes it one click.
      effects.push({ kind: 'write', reversibility: 'reversible', target: info.abs, source: src, detail: `edits ${info.abs}${where(info)}`, ...flags, ...(info.insideWorkspace ? { snapshotable: true } : {}) });
      break;
    }
    case 'delete':
      effects.push({
        kind: 'delete',
        reversibility: lossReversibility(info),
        target: info.abs,
        source: src,
        detail: `deletes ${info.isDir ? 'folder ' : ''}${info.abs}${where(info)}`,
        ...flags,
        ...(info.insideWorkspace ? { snapshotable: true } : {}),
      });
      break;
    case 'rename': {
      effects.push({ kind: 'delete', reversibility: info.inTemp || info.insideWorkspace ? 'reversible' : 'recoverable', target: info.abs, source: src, detail: `moves ${info.abs} away${where(info)}`, ...flags, ...(info.insideWorkspace ? { snapshotable: true } : {}) });
      if (action.newPath === undefined) {
        effects.push({ kind: 'unknown', reversibility: 'unknown', source: src, detail: 'could not analyze: rename without a destination' });
        break;
      }
      const dest = inspectPath(action.newPath, scoped);
      const over = dest.exists && !dest.isDir;
      effects.push({
        kind: over ? 'overwrite' : 'create',
        reversibility: over ? lossReversibility(dest) : 'reversible',
        target: dest.abs,
        source: src,
        detail: `${over ? 'replaces' : 'creates'} ${dest.abs}${where(dest)}`,
        ...baseFlags(dest),
        ...(dest.insideWorkspace ? { snapshotable: true } : {}),
      });
      break;
    }
    case 'chmod':
      effects.push({ kind: 'permissions', reversibility: 'recoverable', target: info.abs, source: src, detail: `changes permissions of ${info.abs}${action.mode ? ` to ${action.mode}` : ''}${where(info)}`, ...flags, ...(info.insideWorkspace ? { snapshotable: true } : {}) });
      break;
  }
  if (action.op !== 'read' && writesLifecycleScript(action, info)) {
    effects.push({ kind: 'write', reversibility: 'irreversible', target: info.abs, source: src, securityConfig: true, exec: true, detail: `adds or changes a package lifecycle script in ${info.abs} (runs code on install)` });
  }
  return summarize(effects);
}
