/**
 * T65: the supervising extension disabled or uninstalled from the command line. The editor CLIs
 * (code, cursor, windsurf, codium, code-server…) can uninstall or disable extensions, start a window
 * with none, or point at another extensions folder or profile where Airlock is absent. Removing or
 * disabling Airlock, or every extension, leaves the gate: `escapesGate` (deny). Installing,
 * uninstalling or disabling other extensions, or switching extension folder or profile, changes
 * what runs in the editor: security config (ask). Editing the extensions folder or
 * `extensions.json` by path is already security config (paths.ts).
 */
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
  return acted;
};
