/**
 * `airlock check` on its own (dist/check.js, required by dist/cli.js for that command): the
 * arguments, the policy and the judge, and nothing of the other commands.
 */
import { parseCheckArgs } from './args';
import { runCheck, runCheckJsonl } from './check';

export async function runCheckCommand(rest: string[]): Promise<number> {
  const a = parseCheckArgs(rest);
  return a.jsonl ? runCheckJsonl(a) : runCheck(a);
}
