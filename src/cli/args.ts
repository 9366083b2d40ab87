/** Argument parsing for the `airlock` CLI (node:util parseArgs, strict: unknown flags are errors). */
import { FileOp, SqlDialect, type SqlDialect as Dialect } from '../core/action';

export { UsageError } from './usageError';
import { strictArgs, UsageError } from './usageError';

export interface ParsedArgs {
  cwd?: string;
  workspaces: string[];
  json: boolean;
  jsonl: boolean;
  sql?: string;
  dialect?: Dialect;
  file?: FileOp;
  policy?: string;
  /** `check --no-snapshot`: judge as if no checkpoint could be taken (the verdict without an undo). */
  noSnapshot: boolean;
  /** `check --jsonl --as-gate`: judge every line as plain `check` does (with the checkpoint the gate could take). */
  asGate: boolean;
  /** Words after `--`, and positional words before it. */
  rest: string[];
}

export const CHECK_OPTIONS = {
  cwd: { type: 'string' },
  workspace: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  jsonl: { type: 'boolean' },
  sql: { type: 'string' },
  dialect: { type: 'string' },
  file: { type: 'string' },
  policy: { type: 'string' },
} as const;

/** `check` alone judges with checkpoints (policy explain shows the judge's verdict as it is). */
const CHECK_ONLY_OPTIONS = { ...CHECK_OPTIONS, 'no-snapshot': { type: 'boolean' }, 'as-gate': { type: 'boolean' } } as const;

export function parseCheckArgs(argv: string[], cmd = 'check'): ParsedArgs {
  const dd = argv.indexOf('--');
  const before = dd >= 0 ? argv.slice(0, dd) : argv;
  const after = dd >= 0 ? argv.slice(dd + 1) : [];
  const { values, positionals } = strictArgs(cmd, before, cmd === 'check' ? CHECK_ONLY_OPTIONS : CHECK_OPTIONS, true);
  const out: ParsedArgs = { workspaces: (values.workspace as string[] | undefined) ?? [], json: values.json === true, jsonl: values.jsonl === true, noSnapshot: (values as Record<string, unknown>)['no-snapshot'] === true, asGate: (values as Record<string, unknown>)['as-gate'] === true, rest: [...positionals, ...after] };
  if (typeof values.cwd === 'string') out.cwd = values.cwd;
  if (typeof values.policy === 'string') out.policy = values.policy;
  if (typeof values.sql === 'string') out.sql = values.sql;
  if (typeof values.dialect === 'string') {
    const d = SqlDialect.safeParse(values.dialect);
    if (!d.success) throw new UsageError(`--dialect must be one of ${SqlDialect.options.join(', ')}`);
    out.dialect = d.data;
  }
  if (typeof values.file === 'string') {
    const op = FileOp.safeParse(values.file);
    if (!op.success) throw new UsageError(`--file takes an operation: ${FileOp.options.join(', ')}`);
    out.file = op.data;
  }
  const modes = [out.sql !== undefined, out.file !== undefined, out.jsonl].filter(Boolean).length;
  if (modes > 1) throw new UsageError('use only one of --sql, --file, --jsonl');
  if (out.dialect && out.sql === undefined && !out.jsonl) throw new UsageError('--dialect goes with --sql');
  if (out.asGate && !out.jsonl) throw new UsageError('--as-gate goes with --jsonl (plain check already judges as the gate)');
  if (out.asGate && out.noSnapshot) throw new UsageError('use only one of --as-gate, --no-snapshot');
  return out;
}
