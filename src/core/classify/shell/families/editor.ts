/**
 * T65: the supervising extension disabled or uninstalled from the command line. The editor CLIs
 * (code, cursor, windsurf, codium, code-server…) can uninstall or disable extensions, start a window
 * with none, or point at another extensions folder or profile where Airlock is absent. Removing or
 * disabling Airlock, or every extension, leaves the gate: `escapesGate` (deny). Installing,
 * uninstalling or disabling other extensions, or switching extension folder or profile, changes
 * what runs in the editor: security config (ask). Editing the extensions folder or
 * `extensions.json` by path is already security config (paths.ts).
 */
import { inspectPath } from '../../../paths.js';
import { plain } from '../shellContext.js';
import { optValue } from './common.js';
import type { Family } from './types.js';

const EDITORS = new Set(['code', 'code-insiders', 'codium', 'vscodium', 'code-oss', 'code-server', 'cursor', 'windsurf', 'positron', 'trae', 'kiro']);
const OURS = /(^|\.)airlock($|@)/i;

export const editorCli: Family = (c) => {
  if (!EDITORS.has(c.name)) return false;
  const { ctx, args } = c;
  const t = args.map((a) => a.text);
  if (t.some((a) => a === '--list-extensions' || a === '--version' || a === '-v' || a === '--help' || a === '-h' || a === '--status')) {
    plain(ctx, c.name, 'read', 'read', `${c.name} ${t.join(' ')}`);
    return true;
  }
  let acted = false;
  for (const opt of ['--uninstall-extension', '--disable-extension']) {
    const v = optValue(args, [opt]);
    if (!v) continue;
    acted = true;
    const verb = opt === '--uninstall-extension' ? 'uninstalls' : 'disables';
    if (OURS.test(v.text) || v.unknownVars.length || v.subst) plain(ctx, c.name, 'write', 'irreversible', `${c.name} ${verb} the Airlock extension (${v.text}): the gate stops supervising`, { securityConfig: true, escapesGate: true, outsideWorkspace: true });
    else plain(ctx, c.name, 'write', 'recoverable', `${c.name} ${verb} extension ${v.text}`, { securityConfig: true, outsideWorkspace: true });
  }
  if (t.includes('--disable-extensions')) {
    acted = true;
    plain(ctx, c.name, 'write', 'irreversible', `${c.name} --disable-extensions opens a window without any extension (Airlock included): work there is not gated`, { securityConfig: true, escapesGate: true, outsideWorkspace: true });
  }
  const inst = optValue(args, ['--install-extension']);
  if (inst) {
    acted = true;
    plain(ctx, c.name, 'write', 'recoverable', `${c.name} installs extension ${inst.text} (code that runs in the editor)`, { securityConfig: true, outsideWorkspace: true });
  }
  for (const opt of ['--extensions-dir', '--user-data-dir', '--profile']) {
    const v = optValue(args, [opt]);
    if (!v) continue;
    acted = true;
    plain(ctx, c.name, 'write', 'recoverable', `${c.name} ${opt} ${v.text}: a window whose extensions and settings may not include Airlock`, { securityConfig: true });
  }
  if (!acted) return openInEditor(c);
  return acted;
};

/** Subcommands of the editor CLIs (a folder of that name is opened as `./tunnel`). */
const EDITOR_SUBCOMMANDS = new Set(['tunnel', 'serve-web', 'chat', 'agent', 'status', 'version', 'update', 'ext', 'help']);
const OPEN_FLAGS = /^(-g|--goto|-n|--new-window|-r|--reuse-window|-d|--diff|-m|--merge|-w|--wait|-a|--add|--locale=[\w-]+|-)$/;

/**
 * `code .`, `code -g src/app.ts:12`, `code --diff a b`: files and folders of the workspace opened in
 * the editor (a person looks at them; nothing runs that was not already open). Anything else (a
 * path outside the workspace, whose folder settings and tasks would load; a subcommand such as
 * `tunnel`; an option not listed) is left to the closed world.
 */
function openInEditor(c: Parameters<Family>[0]): boolean {
  const { ctx, args } = c;
  const paths = args.filter((a) => !(a.literal && OPEN_FLAGS.test(a.text)));
  if (paths.length === 0 || paths.some((a) => !a.literal || a.text.startsWith('-') || EDITOR_SUBCOMMANDS.has(a.text))) return false;
  for (const a of paths) {
    const info = inspectPath(a.text.replace(/(:\d+){1,2}$/, ''), ctx.env);
    if (!info.insideWorkspace || info.secrets || info.securityConfig) return false;
  }
  plain(ctx, c.name, 'read', 'read', `${c.name} opens ${paths.map((a) => a.text).join(' ')} in the editor`);
  return true;
}
