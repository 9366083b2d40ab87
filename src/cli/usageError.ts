/**
 * The error a CLI command throws for bad arguments (main prints its message and the command's usage
 * to stderr and exits 2), and strict option parsing over node:util parseArgs whose errors name the
 * valid options. Its own module so the hook shim's lean bundle can use it without the action schemas.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A UsageError, also one thrown by another bundle (dist/check.js, dist/commands.js) whose class is its own copy. */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof Error && e.name === 'UsageError';
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** The options as the person types them: `--ledger FILE, --json, -h/--help`. */
export function describeOptions(options: OptionSpec): string {
  const names = Object.entries(options).map(([n, o]) => `${o.short ? `-${o.short}/` : ''}--${n}${o.type === 'string' ? ' VALUE' : ''}`);
  return [...names, '-h/--help'].join(', ');
}

/**
 * parseArgs, strict. An unknown option, a missing value or a stray positional is a UsageError that
 * says what is valid for `cmd` (e.g. "airlock log: unknown option --foo (valid: --ledger VALUE, …)").
 */
export function strictArgs(cmd: string, argv: string[], options: OptionSpec, allowPositionals = false): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return { values: r.values as Record<string, unknown>, positionals: r.positionals };
  } catch (e) {
    const err = e as Error & { code?: string };
    const valid = `valid options: ${describeOptions(options)}`;
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const m = /'([^']+)'/.exec(err.message);
      throw new UsageError(`airlock ${cmd}: unknown option ${m?.[1] ?? ''} (${valid})`);
    }
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const m = /'([^']+)'/.exec(err.message);
      throw new UsageError(`airlock ${cmd}: unexpected argument ${m ? JSON.stringify(m[1]) : ''} (it takes no positional arguments; ${valid})`);
    }
    throw new UsageError(`airlock ${cmd}: ${err.message.split('. ')[0]} (${valid})`);
  }
}
