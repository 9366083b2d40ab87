/** Argument parsing for `airlock serve`, `hook`, `kill`, `unkill` (strict: unknown flags are errors). */
import { strictArgs, UsageError } from './usageError';

export interface ServeArgs {
  ledger?: string;
  policy?: string;
  port?: number;
  ci: boolean;
  workspaces: string[];
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const { values } = strictArgs('serve', argv, { ledger: { type: 'string' }, policy: { type: 'string' }, port: { type: 'string' }, ci: { type: 'boolean' }, workspace: { type: 'string', multiple: true } });
  const out: ServeArgs = { ci: values.ci === true, workspaces: Array.isArray(values.workspace) ? values.workspace.filter((x): x is string => typeof x === 'string') : [] };
  if (typeof values.ledger === 'string') out.ledger = values.ledger;
  if (typeof values.policy === 'string') out.policy = values.policy;
  if (typeof values.port === 'string') {
    const n = Number(values.port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError('--port takes a port number (0-65535)');
    out.port = n;
  }
  return out;
}

export interface HookArgs {
  agent: string;
  /** The agent's configured hook timeout; the shim answers by 80% of it. */
  timeoutMs?: number;
}

export function parseHookArgs(argv: string[]): HookArgs {
  const { values, positionals } = strictArgs('hook', argv, { 'timeout-ms': { type: 'string' } }, true);
  const [agent, ...extra] = positionals;
  if (!agent) throw new UsageError('hook: name the agent (claude, copilot, cursor, codex, gemini, cline)');
  if (extra.length) throw new UsageError(`hook: unexpected arguments: ${extra.join(' ')}`);
  const out: HookArgs = { agent };
  if (typeof values['timeout-ms'] === 'string') {
    const n = Number(values['timeout-ms']);
    if (!Number.isInteger(n) || n < 100 || n > 3_600_000) throw new UsageError('--timeout-ms takes the hook timeout in ms (100-3600000)');
    out.timeoutMs = n;
  }
  return out;
}

export function parseKillArgs(argv: string[]): { reason: string } {
  const { values } = strictArgs('kill', argv, { reason: { type: 'string' } });
  return { reason: typeof values.reason === 'string' && values.reason ? values.reason.slice(0, 2000) : 'kill switch pulled from the command line' };
}

export function parseNoArgs(cmd: string, argv: string[]): void {
  if (argv.length) throw new UsageError(`airlock ${cmd} takes no arguments (got ${argv.join(' ')})`);
}
