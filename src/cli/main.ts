#!/usr/bin/env node
/** The `airlock` command: core + node adapters, wired here and nowhere else. */
// Commands are imported when used: `airlock hook` runs once per agent tool call and must start fast.
import { version } from '../../package.json';
import { COMMANDS, GLOBAL_USAGE, entryFor, wantsHelp } from './commands';
import { EXIT } from './format';
import { UsageError } from './usageError';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    process.stdout.write(`airlock ${version} (node ${process.versions.node})\n`);
    return 0;
  }
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    if (cmd === undefined) throw new UsageError('no command given');
    const e = entryFor(rest);
    if (rest.length && !e) throw new UsageError(`help: unknown command ${rest[0]}`);
    process.stdout.write(`${e ? e.entry.usage : GLOBAL_USAGE}\n`);
    return 0;
  }
  if (!Object.prototype.hasOwnProperty.call(COMMANDS, cmd)) throw new UsageError(`unknown command: ${cmd}`);
  if (wantsHelp(argv)) {
    process.stdout.write(`${entryFor(argv)!.entry.usage}\n`);
    return 0;
  }
  switch (cmd) {
    case 'check': {
      const { parseCheckArgs } = await import('./args');
      const a = parseCheckArgs(rest);
      const { runCheck, runCheckJsonl } = await import('./check');
      return a.jsonl ? runCheckJsonl(a) : runCheck(a);
    }
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

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      // The error, then the usage of the command it is about (or the command list).
      const e2 = entryFor(argv);
      const msg = e.message.startsWith('airlock') ? e.message : `airlock: ${e.message}`;
      process.stderr.write(`${msg}\n\n${e2 ? e2.entry.usage : GLOBAL_USAGE}\n`);
      process.exitCode = EXIT.usage;
    } else {
      // An unexpected failure is a deny: exit 4, never 0.
      process.stderr.write(`airlock: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT.deny;
    }
  },
);
