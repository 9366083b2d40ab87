/**
 * Effect families: rules that hold for a whole family of programs (framework database commands,
 * agent CLIs, detached processes, other shells…), called from the dispatcher at one point, after
 * the program name is known and before the per-tool tables. A family adds the effects it knows and
 * says whether it has handled the command completely; otherwise the tables run as well, and the
 * worst effect wins.
 *
 * `lineEffects` runs once per command line, after every command was analysed: rules about the
 * line as a whole (secrets read and sent off the machine in the same line).
 */
import type { Ctx } from '../shellContext.js';
import { add } from '../shellContext.js';
import type { Family, FamilyCall } from './types.js';
import { agentCli } from './agents.js';
import { editorCli } from './editor.js';
import { frameworkDb } from './frameworkDb.js';
import { hiddenExec } from './hiddenExec.js';
import { indirectWrites } from './indirectWrites.js';
import { linksAndPlaces } from './links.js';
import { logins } from './logins.js';
import { openers } from './openers.js';
import { terraform } from './terraform.js';
import { hiddenOverwrites } from './overwrites.js';
import { packageConfig } from './packageConfig.js';
import { persistence } from './persistence.js';
import { otherShells } from './otherShells.js';
import { secretSearches } from './secrets.js';
import { transfers } from './transfers.js';
import { unresolvedReads } from './unresolvedReads.js';

export type { Family, FamilyCall } from './types.js';

const FAMILIES: Family[] = [logins, openers, terraform, persistence, hiddenExec, agentCli, editorCli, otherShells, frameworkDb, packageConfig, indirectWrites, linksAndPlaces, hiddenOverwrites, secretSearches, transfers, unresolvedReads];

export function runFamilies(c: FamilyCall): boolean {
  let handled = false;
  for (const f of FAMILIES) if (f(c)) handled = true;
  return handled;
}

/** Rules about the command line as a whole. */
export function lineEffects(ctx: Ctx): void {
  const secret = ctx.effects.find((e) => e.secrets && e.kind === 'read');
  const send = ctx.effects.find((e) => e.kind !== 'read' && (e.kind === 'network' || e.network === true));
  if (secret && send) {
    add(ctx, {
      kind: 'network',
      reversibility: 'irreversible',
      secrets: true,
      network: true,
      detail: `sends data off the machine (${send.detail}) in the same command that reads secrets (${secret.detail})`,
      ...(send.target ? { target: send.target } : {}),
      source: send.source ?? 'network',
    });
  }
}
