/**
 * MCP tool calls to servers Airlock does not own. The server's annotations are hints only: the
 * arguments are classified (paths, shell commands and SQL found in them). A call whose effect
 * cannot be derived is `unknown`.
 */
import type { McpAction } from '../action';
import { summarize, type Classification, type Effect } from '../effects';
import type { Environment } from '../paths';
import { classifyFile } from './file';
import { classifyShell } from './shell/classifyShell';
import { classifySql } from './sql';

const PATH_KEYS = /^(path|paths|file|files|filename|file_?path|target|source|destination|dest|dir|directory|folder|uri)$/i;
const COMMAND_KEYS = /^(command|cmd|script|shell|commandline|command_?line)$/i;
const SQL_KEYS = /^(sql|query|statement|stmt)$/i;
/** `query` is often search text: it is SQL only when it starts like a statement. */
const SQL_START = /^\s*(\(|select|insert|update|delete|with|create|drop|alter|truncate|grant|revoke|copy|call|do|exec|execute|merge|replace|pragma|attach|vacuum|explain|show|set)\b/i;
const READ_VERB = /^(read|get|list|search|find|describe|show|view|fetch|stat|info|head|tail|glob|grep|cat|ls|directory_tree|query)/i;
const DELETE_VERB = /(delete|remove|rm|unlink|drop|destroy|purge|truncate|wipe)/i;
const WRITE_VERB = /(write|create|edit|update|move|rename|copy|put|set|insert|append|patch|mkdir)/i;

function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

export function classifyMcp(action: McpAction, env: Environment): Classification {
  const scoped: Environment = { ...env, cwd: action.cwd ?? env.cwd, workspaceRoots: action.workspaceRoots ?? env.workspaceRoots };
  const tool = action.tool;
  const op = DELETE_VERB.test(tool) ? 'delete' : READ_VERB.test(tool) ? 'read' : WRITE_VERB.test(tool) ? 'write' : undefined;
  const effects: Effect[] = [];
  const reasons: string[] = [];
  const commands: string[] = [];
  let derived = false;
  for (const [key, value] of Object.entries(action.args)) {
    if (COMMAND_KEYS.test(key)) {
      for (const c of stringsOf(value)) {
        const r = classifyShell(c, scoped);
        effects.push(...r.effects);
        reasons.push(...r.reasons);
        commands.push(...r.commands);
        derived = true;
      }
    } else if (SQL_KEYS.test(key) && typeof value === 'string' && (key.toLowerCase() !== 'query' || SQL_START.test(value))) {
      const r = classifySql(value, 'postgres');
      effects.push(...r.effects);
      reasons.push(...r.reasons);
      derived = true;
    } else if (PATH_KEYS.test(key)) {
      for (const p of stringsOf(value)) {
        const fileOp = op === 'delete' ? 'delete' : op === 'read' ? 'read' : 'write';
        effects.push(...classifyFile({ kind: 'file', op: fileOp, path: p, cwd: scoped.cwd, workspaceRoots: scoped.workspaceRoots }, scoped).effects);
        derived = true;
      }
    }
  }
  const name = `${action.server}/${tool}`;
  if (op === 'delete') {
    effects.push({ kind: 'delete', reversibility: 'irreversible', source: `mcp.${name}`, detail: `MCP tool ${name} deletes (by its name)` });
  } else if (!derived && op !== 'read') {
    effects.push({ kind: 'unknown', reversibility: 'unknown', source: `mcp.${name}`, detail: `could not analyze: effect of MCP tool ${name} is not known` });
    reasons.push(`could not analyze: effect of MCP tool ${name} is not known`);
  } else if (effects.length === 0) {
    effects.push({ kind: 'read', reversibility: 'read', source: `mcp.${name}`, detail: `MCP tool ${name} (read by its name; not verified)` });
  }
  return summarize(effects, reasons, commands);
}
