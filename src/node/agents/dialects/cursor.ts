/**
 * Cursor hooks (documentation only; not verified live): beforeShellExecution {command, cwd},
 * beforeMCPExecution {tool_name, tool_input, url | command}, beforeReadFile {file_path},
 * preToolUse {tool_name, tool_input}, after* events record outcomes. Answer
 * {"permission","user_message","agent_message"}; a deny also exits 2 (blocks either way).
 */
import { arr, check, either, obj, opt, str, unknown } from '../../../core/check';
import { Loose, formatIssues, json, optStr, outcomeFrom, type Dialect, type ParseResult } from './dialect';

const CursorInput = obj({
  hook_event_name: str(1, 100),
  conversation_id: optStr,
  generation_id: optStr,
  workspace_roots: opt(arr(str(0, 4096), 64)),
  cwd: optStr,
  command: opt(str(0, 1024 * 1024)),
  file_path: optStr,
  tool_name: optStr,
  tool_input: opt(either(Loose, str(0, 1024 * 1024))),
  url: optStr,
  output: unknown,
  tool_output: unknown,
});

const PRE = new Set(['beforeShellExecution', 'beforeMCPExecution', 'beforeReadFile', 'preToolUse']);
const POST = new Set(['afterShellExecution', 'afterMCPExecution', 'afterFileEdit', 'postToolUse']);

function toolInputOf(v: Record<string, unknown> | string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return {};
  if (typeof v !== 'string') return v;
  try {
    const r = check(Loose, JSON.parse(v));
    return r.ok ? r.value : undefined;
  } catch {
    return undefined; // the caller reports the payload as malformed
  }
}

export const cursor: Dialect = {
  agent: 'cursor',
  defaultTimeoutMs: 30_000,
  hasAsk: true,
  parse(raw, env): ParseResult {
    const p = check(CursorInput, raw);
    if (!p.ok) return { ok: false, error: `not a Cursor hook payload: ${formatIssues(p.issues)}` };
    const d = p.value;
    const ev = d.hook_event_name;
    if (!PRE.has(ev) && !POST.has(ev)) return { ok: false, error: `unsupported Cursor hook event ${ev}` };
    const roots = d.workspace_roots?.filter((r) => r.length > 0) ?? [];
    const cwd = d.cwd ?? roots[0] ?? env.cwd;
    const base = { sessionId: d.conversation_id ?? `cursor:${cwd}`, cwd, workspaceRoots: roots.length ? roots : [cwd] };
    const input = toolInputOf(d.tool_input);
    if (!input) return { ok: false, error: 'not a Cursor hook payload: tool_input is not a JSON object' };
    let tool: { toolName: string; toolInput: Record<string, unknown>; mcpServer?: string };
    if (ev === 'beforeShellExecution' || ev === 'afterShellExecution') tool = { toolName: 'beforeShellExecution', toolInput: { command: d.command ?? '', ...(d.cwd ? { cwd: d.cwd } : {}) } };
    else if (ev === 'beforeReadFile') tool = { toolName: 'beforeReadFile', toolInput: { file_path: d.file_path ?? '' } };
    else if (ev === 'afterFileEdit') tool = { toolName: 'edit_file', toolInput: { file_path: d.file_path ?? '' } };
    else if (ev === 'beforeMCPExecution' || ev === 'afterMCPExecution') tool = { toolName: d.tool_name ?? '', toolInput: input, mcpServer: d.url ?? (d.command ? d.command.split(/\s+/)[0] : 'mcp') };
    else tool = { toolName: d.tool_name ?? '', toolInput: input };
    if (!tool.toolName) return { ok: false, error: `not a Cursor hook payload: ${ev} without a tool name` };
    const post = POST.has(ev);
    return { ok: true, hook: { event: post ? 'post' : 'pre', ...base, ...tool, ...(post ? { outcome: outcomeFrom(d.tool_output ?? d.output) } : {}) } };
  },
  answer(v) {
    const body = { permission: v.decision, user_message: `Airlock: ${v.reason}`, agent_message: v.reason };
    return { stdout: json(body), stderr: v.decision === 'deny' ? `${v.reason}\n` : '', exitCode: v.decision === 'deny' ? 2 : 0 };
  },
};
