/**
 * Tool names -> Airlock actions, as data. Every agent names its tools differently; this table is
 * the one place that knows them (verify names against real payloads before relying on them:
 * INTEGRATIONS.md). Pure: no I/O.
 *
 * - shell tools -> shell action; write/create -> file create/write with the content; edit tools ->
 *   file edit with old/new text; read/search tools -> file read; MCP tools -> mcp action.
 * - `internal` tools act only inside the agent (its todo list, a sub-agent whose own calls are
 *   gated, a server-side web search) and are allowed as reads.
 * - Anything not in the table becomes an MCP-like action for the agent's own "server": its
 *   arguments are classified, and if no effect can be derived it is `unknown` (never allowed
 *   silently).
 */
import { isAbsolute, resolve } from 'node:path';

export type ToolClass = 'shell' | 'write' | 'edit' | 'multiedit' | 'read' | 'search' | 'patch' | 'fetch' | 'internal';

export const TOOL_TABLE: Readonly<Record<string, ToolClass>> = {
  // shell
  Bash: 'shell', run_shell_command: 'shell', run_in_terminal: 'shell', runTerminalCommand: 'shell', exec_command: 'shell',
  shell: 'shell', local_shell: 'shell', execute_command: 'shell', beforeShellExecution: 'shell',
  bash: 'shell', // OpenCode, Kilo, Copilot CLI
  run_commands: 'shell', // Cline 3.x: {commands: [..]}, each run on its own
  // whole-file writes
  Write: 'write', create_file: 'write', write_file: 'write', write_to_file: 'write', createFile: 'write',
  write: 'write', create: 'write', // OpenCode/Kilo, Copilot CLI
  // edits
  Edit: 'edit', replace_string_in_file: 'edit', replace: 'edit', replace_in_file: 'edit', insert_edit_into_file: 'edit', edit_file: 'edit',
  edit: 'edit', // OpenCode/Kilo {filePath, oldString, newString}, Qwen Code {file_path, old_string, new_string}, Copilot CLI
  editor: 'edit', // Cline 3.x {path, old_text, new_text, insert_line}
  MultiEdit: 'multiedit', multi_replace_string_in_file: 'multiedit', multiedit: 'multiedit',
  apply_patch: 'patch', patch: 'patch',
  // reads
  Read: 'read', read_file: 'read', NotebookRead: 'read', beforeReadFile: 'read', readFile: 'read',
  read: 'read', view: 'read', // OpenCode/Kilo, Copilot CLI
  read_files: 'read', // Cline 3.x: {files: [{path, start_line, end_line}]}
  Glob: 'search', Grep: 'search', LS: 'search', list_dir: 'search', file_search: 'search', grep_search: 'search', semantic_search: 'search',
  list_directory: 'search', glob: 'search', search_file_content: 'search', read_many_files: 'search', list_files: 'search',
  search_files: 'search', list_code_definition_names: 'search', codebase_search: 'search',
  grep: 'search', list: 'search', // OpenCode/Kilo
  search_codebase: 'search', // Cline 3.x {queries}: searches the workspace
  // network reads
  WebFetch: 'fetch', webfetch: 'fetch', web_fetch: 'fetch',
  fetch_web_content: 'fetch', // Cline 3.x: {requests: [{url, prompt}]}
  // inside the agent only
  TodoWrite: 'internal', Task: 'internal', Agent: 'internal', ExitPlanMode: 'internal', EnterPlanMode: 'internal',
  BashOutput: 'internal', TaskOutput: 'internal', KillShell: 'internal', KillBash: 'internal', AskUserQuestion: 'internal',
  WebSearch: 'internal', ListMcpResourcesTool: 'internal', manage_todo_list: 'internal', write_todos: 'internal',
  google_web_search: 'internal', ask_followup_question: 'internal', attempt_completion: 'internal', plan_mode_respond: 'internal',
  update_plan: 'internal', think: 'internal',
  // OpenCode/Kilo, Qwen Code, Cline 3.x
  task: 'internal', todowrite: 'internal', todoread: 'internal', websearch: 'internal', question: 'internal',
  todo_write: 'internal', ask_question: 'internal', spawn_agent: 'internal',
};

export interface ToolCall {
  agent: string;
  toolName: string;
  input: Record<string, unknown>;
  cwd: string;
  workspaceRoots: string[];
  /** Cursor's beforeMCPExecution names the server separately. */
  mcpServer?: string;
}

/** `{action}` to judge, `{internal: true}` for agent-internal tools. The action is NOT yet validated. */
export type Normalized = { action: Record<string, unknown> } | { internal: true };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function pick(input: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = str(input[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

const PATH_KEYS = ['file_path', 'filePath', 'path', 'absolute_path', 'absolutePath', 'notebook_path', 'target_file', 'file'];
const CONTENT_KEYS = ['content', 'contents', 'text', 'file_text'];

/** `mcp__server__tool` (Claude, Codex, Copilot) or `mcp_server_tool` (Gemini). */
export function splitMcpName(name: string): { server: string; tool: string } | undefined {
  const dbl = /^mcp__(.+?)__(.+)$/.exec(name);
  if (dbl) return { server: dbl[1]!, tool: dbl[2]! };
  const single = /^mcp_([^_]+)_(.+)$/.exec(name);
  if (single) return { server: single[1]!, tool: single[2]! };
  return undefined;
}

/** Paths a Codex-style patch touches, by operation. */
export function patchFiles(patch: string): { add: string[]; update: string[]; delete: string[] } {
  const out = { add: [] as string[], update: [] as string[], delete: [] as string[] };
  for (const line of patch.split('\n')) {
    const m = /^\*\*\* (Add|Update|Delete) File: (.+)$/.exec(line.trim());
    if (m) out[m[1]!.toLowerCase() as 'add' | 'update' | 'delete'].push(m[2]!.trim());
    const mv = /^\*\*\* Move to: (.+)$/.exec(line.trim());
    if (mv) out.add.push(mv[1]!.trim());
  }
  return out;
}

/** The first of `keys` in each object of a list (Cline's files[] and requests[]), or plain strings. */
function listOf(v: unknown, keys: readonly string[]): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (typeof x === 'string' && x) out.push(x);
    else if (x && typeof x === 'object') {
      const s = pick(x as Record<string, unknown>, keys);
      if (s !== undefined) out.push(s);
    }
  }
  return out;
}

function findPatchText(input: Record<string, unknown>): string | undefined {
  for (const v of Object.values(input)) {
    if (typeof v === 'string' && v.includes('*** Begin Patch')) return v;
    if (Array.isArray(v)) for (const x of v) if (typeof x === 'string' && x.includes('*** Begin Patch')) return x;
  }
  return undefined;
}

function shellCommand(input: Record<string, unknown>): string | undefined {
  // Cline 3.x run_commands: several commands, each run in its own shell from the same folder; a
  // subshell each keeps one command's `cd` from moving the next (as when they really run).
  const list = input.commands;
  if (Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === 'string')) {
    return list.length === 1 ? (list[0] as string) : (list as string[]).map((x) => `(\n${x}\n)`).join('\n');
  }
  const c = input.command ?? input.cmd;
  if (typeof c === 'string') return c;
  // Codex may give argv; ["bash","-lc","…"] is the usual form.
  if (Array.isArray(c) && c.every((x) => typeof x === 'string')) {
    const argv = c as string[];
    if (argv.length === 3 && /(^|\/)(ba|z|)sh$/.test(argv[0]!) && /^-l?c$/.test(argv[1]!)) return argv[2];
    return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  }
  return undefined;
}

export function normalizeTool(call: ToolCall): Normalized {
  const { input, cwd, workspaceRoots: roots } = call;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const file = (op: string, extra: Record<string, unknown> = {}, path = pick(input, PATH_KEYS)) => ({ action: { kind: 'file', op, path: path ?? '', cwd, workspaceRoots: roots, ...extra } });
  const cls = TOOL_TABLE[call.toolName];
  switch (cls) {
    case 'internal':
      return { internal: true };
    case 'shell': {
      const dir = pick(input, ['cwd', 'directory', 'dir_path', 'workdir']);
      return { action: { kind: 'shell', command: shellCommand(input) ?? '', cwd: dir ? at(dir) : cwd, workspaceRoots: roots, ...(str(input.description) ? { description: str(input.description)!.slice(0, 4096) } : {}) } };
    }
    case 'write': {
      const content = pick(input, CONTENT_KEYS);
      return file('write', content !== undefined ? { content } : {});
    }
    case 'edit': {
      const oldString = pick(input, ['old_string', 'oldString', 'old_str', 'old_text']);
      const newString = pick(input, ['new_string', 'newString', 'new_str', 'new_text', 'diff', 'code', 'content']);
      return file('edit', { ...(oldString !== undefined ? { oldString } : {}), ...(newString !== undefined ? { newString } : { newString: '' }) });
    }
    case 'multiedit': {
      const edits = Array.isArray(input.edits) ? input.edits : Array.isArray(input.replacements) ? input.replacements : [];
      const olds: string[] = [];
      const news: string[] = [];
      for (const e of edits) {
        if (!e || typeof e !== 'object') continue;
        const r = e as Record<string, unknown>;
        olds.push(pick(r, ['old_string', 'oldString']) ?? '');
        news.push(pick(r, ['new_string', 'newString']) ?? '');
      }
      const path = pick(input, PATH_KEYS) ?? (edits[0] && typeof edits[0] === 'object' ? pick(edits[0] as Record<string, unknown>, PATH_KEYS) : undefined);
      return file('edit', { oldString: olds.join('\n'), newString: news.join('\n') }, path);
    }
    case 'patch': {
      const patch = findPatchText(input) ?? '';
      const f = patchFiles(patch);
      const all = [...f.add, ...f.update, ...f.delete];
      if (all.length === 1) {
        if (f.delete.length) return file('delete', {}, f.delete[0]);
        if (f.add.length) return file('create', { content: patch }, f.add[0]);
        return file('edit', { newString: patch }, f.update[0]);
      }
      // Several files: one MCP-like action whose path arguments are each classified; a patch that
      // deletes anything is named as a delete so every path counts as deleted (stricter).
      return { action: { kind: 'mcp', server: call.agent, tool: f.delete.length ? 'apply_patch_delete' : 'apply_patch', args: { paths: all.map(at) }, cwd, workspaceRoots: roots } };
    }
    case 'read': {
      const many = listOf(input.files, PATH_KEYS);
      if (many.length > 1) return { action: { kind: 'mcp', server: call.agent, tool: 'read_files', args: { paths: many.map(at) }, cwd, workspaceRoots: roots } };
      return file('read', {}, pick(input, PATH_KEYS) ?? many[0]);
    }
    case 'search': {
      const p = pick(input, ['path', 'dir_path', 'directory', 'dirPath', 'absolute_path', 'folder', 'target_directory']);
      return file('read', {}, p ?? cwd);
    }
    case 'fetch': {
      const urls = listOf(input.requests, ['url']);
      if (urls.length > 1) return { action: { kind: 'mcp', server: call.agent, tool: 'fetch_urls', args: { urls }, cwd, workspaceRoots: roots } };
      const url = pick(input, ['url']) ?? urls[0];
      return { action: { kind: 'http', method: 'GET', url: url ?? '' } };
    }
    case undefined:
      break;
  }
  const mcp = call.mcpServer ? { server: call.mcpServer, tool: call.toolName } : splitMcpName(call.toolName);
  const args = input;
  if (mcp) return { action: { kind: 'mcp', server: mcp.server, tool: mcp.tool, args, cwd, workspaceRoots: roots } };
  // Unknown tool: MCP-like, server = the agent, so its arguments are classified and a tool whose
  // effect cannot be derived is `unknown`.
  return { action: { kind: 'mcp', server: call.agent, tool: call.toolName, args, cwd, workspaceRoots: roots } };
}
