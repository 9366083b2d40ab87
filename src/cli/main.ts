#!/usr/bin/env node
/** The `airlock` command: core + node adapters, wired here and nowhere else. */
// Commands are imported when used: `airlock hook` runs once per agent tool call and must start fast.
import { parseCheckArgs, UsageError } from './args';
import { EXIT } from './format';

const USAGE = `usage:
  airlock check [--cwd DIR] [--workspace DIR]... [--policy FILE] [--json] -- <command line>
  airlock check --sql "<statement>" [--dialect postgres|sqlite|mysql] [--json]
  airlock check --file <read|create|write|edit|delete|rename|chmod> <path> [<new path>] [--cwd DIR] [--workspace DIR]...
  airlock check --jsonl [--cwd DIR] [--workspace DIR]...   (one action per stdin line)
  airlock policy validate [FILE]
  airlock policy explain [--cwd DIR] [--workspace DIR]... -- <command line>
  airlock policy schema
  airlock serve [--ledger FILE] [--policy FILE] [--port N] [--ci] [--workspace DIR]...
        headless gate; prints one JSON line {"bridge","otlp","ledger","discovery"} when ready
  airlock hook <claude|copilot|cursor|codex|gemini|cline> [--timeout-ms N]
        the agent hook shim (stdin: the agent's hook JSON; answers within 80% of N, the agent's hook timeout)
  airlock kill [--reason R]    latch the kill switch, void the bridge token, stop a running gate
  airlock unkill               un-latch from the command line (the editor is the intended place)
  airlock hooks install|uninstall <agent>|all [--scope user|project] [--project DIR]
  airlock hooks status [--project DIR] [--json]
  airlock mcp ...              Airlock's MCP server / proxy (see airlock mcp --help)
  airlock dlq list|retry|discard   dead letters of Airlock's own side effects
  airlock undo <step-id|key> | --list   undo an approved database write from its before-images
  airlock verify [--ledger FILE] [--json] [--accept]
        walk the ledger's hash chain, sequences and anchor; exit 0 intact, 1 broken
  airlock log [--ledger FILE] [--json] [--run ID [--trace]]
        runs; a run's steps; --trace: the causal chain of a run
  airlock db add NAME URL [--read-only] | list | remove NAME
        database credentials kept by Airlock (owner-only file), used by airlock mcp --db NAME
  airlock export --run ID|--all [--endpoint URL] [--header K=V]... [--ledger FILE] [--arguments]
        send runs as OpenTelemetry traces (OTEL_EXPORTER_OTLP_* or --endpoint)
exit codes (check): 0 allow, 3 ask, 4 deny, 2 bad usage`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'check': {
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
      if (rest[0] === '--help' || rest[0] === '-h') {
        process.stdout.write(`${(await import('./mcpCommand')).MCP_USAGE}\n`);
        return 0;
      }
      return (await import('./mcpCommand')).runMcp(rest);
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
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new UsageError(cmd ? `unknown command: ${cmd}` : 'no command given');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`airlock: ${e.message}\n${USAGE}\n`);
      process.exitCode = EXIT.usage;
    } else {
      // An unexpected failure is a deny: exit 4, never 0.
      process.stderr.write(`airlock: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT.deny;
    }
  },
);
