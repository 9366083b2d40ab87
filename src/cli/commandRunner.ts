/**
 * Every `airlock` command but `check` (dist/commands.js, required by dist/cli.js when one of them
 * runs). Each command's module is imported when it runs.
 */
import { UsageError } from './usageError';

export async function runCommand(cmd: string, rest: string[]): Promise<number> {
  switch (cmd) {
    case 'policy':
      return (await import('./policyCommands')).runPolicy(rest);
    case 'serve':
      return (await import('./gateCommands')).runServe(rest);
    case 'hook':
      return (await import('./gateCommands')).runHook(rest);
    case 'kill':
      return (await import('./gateCommands')).runKill(rest);
    case 'unkill':
      return (await import('./gateCommands')).runUnkill(rest);
    case 'hooks':
      return (await import('./hooksCommand')).runHooks(rest);
    case 'db':
      return (await import('./dbCommands')).runDb(rest);
    case 'mcp':
      return (await import('./mcpCommand')).runMcp(rest);
    case 'approvals':
      return (await import('./approvalsCommand')).runApprovals(rest);
    case 'dlq':
      return (await import('./mcpCommand')).runDlq(rest);
    case 'undo':
      return (await import('./undoCommand')).runUndo(rest);
    case 'verify':
      return (await import('./verifyCommand')).runVerify(rest);
    case 'log':
      return (await import('./logCommand')).runLog(rest);
    case 'export':
      return (await import('./exportCommand')).runExport(rest);
    case 'budget':
      return (await import('./budgetCommand')).runBudget(rest);
    case 'status':
      return (await import('./statusCommand')).runStatus(rest);
    default:
      throw new UsageError(`unknown command: ${cmd}`);
  }
}

