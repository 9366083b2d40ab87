/**
 * The in-process gate's editor side: terminals of this window get AIRLOCK_DISCOVERY (the PATH of
 * this window's discovery file, never the token) and AIRLOCK_HOME, so an agent started in them asks
 * this window's gate and reads the same kill flag. Not persisted: a terminal restored before
 * activation would otherwise point at a dead window's file.
 */
import * as vscode from 'vscode';
import type { GateControl } from '../core/gateControl';

export const DISCOVERY_ENV = 'AIRLOCK_DISCOVERY';

export function registerGateEnvironment(context: vscode.ExtensionContext, gate: GateControl): void {
  const env = context.environmentVariableCollection;
  env.persistent = false;
  env.description = 'Airlock: lets agents started in this terminal find this window’s gate (a file path; the token stays in the file).';
  env.replace(DISCOVERY_ENV, gate.discoveryPath);
  env.replace('AIRLOCK_HOME', gate.home);
  context.subscriptions.push({ dispose: () => env.clear() });
}
