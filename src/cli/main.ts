#!/usr/bin/env node
/** The `airlock` command: core + node adapters, wired here and nowhere else. */
import { parseCheckArgs, UsageError } from './args';
import { runCheck, runCheckJsonl } from './check';
import { EXIT } from './format';
import { runPolicy } from './policyCommands';

const USAGE = `usage:
  airlock check [--cwd DIR] [--workspace DIR]... [--policy FILE] [--json] -- <command line>
  airlock check --sql "<statement>" [--dialect postgres|sqlite|mysql] [--json]
  airlock check --file <read|create|write|edit|delete|rename|chmod> <path> [<new path>] [--cwd DIR] [--workspace DIR]...
  airlock check --jsonl [--cwd DIR] [--workspace DIR]...   (one action per stdin line)
  airlock policy validate [FILE]
  airlock policy explain [--cwd DIR] [--workspace DIR]... -- <command line>
  airlock policy schema
  airlock hooks install|uninstall <agent>|all [--scope user|project] [--project DIR]
  airlock hooks status [--project DIR] [--json]
exit codes (check): 0 allow, 3 ask, 4 deny, 2 bad usage`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'check': {
      const a = parseCheckArgs(rest);
      return a.jsonl ? runCheckJsonl(a) : runCheck(a);
    }
    case 'policy':
      return runPolicy(rest);
    case 'hooks':
      return (await import('./hooksCommand')).runHooks(rest);
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
