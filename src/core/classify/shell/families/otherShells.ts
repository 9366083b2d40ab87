/**
 * T37: other shells' deletes. PowerShell (`pwsh`, `powershell`) and `cmd` run their own command
 * languages; their scripts are split into commands and judged by a small table of their verbs:
 * deletes, overwrites, moves, formats, downloads and code execution. Windows paths (`C:\…`, `\\host`,
 * `$env:USERPROFILE`, `%USERPROFILE%`) are outside the workspace; relative paths are resolved as
 * usual. A command in no table is `unknown` (ask), a script that cannot be split is `unknown` too.
 */
import type { Effect } from '../../../effects.js';
import { add, execUnknown, pathEffect, plain, unknownEffect, type Ctx } from '../shellContext.js';
import type { Family } from './types.js';
import { word } from './common.js';

const PS_DELETE = new Set(['remove-item', 'rm', 'del', 'erase', 'rd', 'rmdir', 'ri', 'remove-itemproperty', 'clear-recyclebin', 'format-volume', 'clear-disk', 'remove-partition']);
const PS_OVERWRITE = new Set(['set-content', 'sc', 'clear-content', 'clc', 'out-file', 'clear-item', 'cli']);
const PS_MOVE = new Set(['move-item', 'mv', 'move', 'mi', 'copy-item', 'cp', 'copy', 'cpi', 'rename-item', 'ren', 'rni']);
const PS_CREATE = new Set(['new-item', 'ni', 'mkdir', 'md', 'add-content', 'ac']);
const PS_EXEC = new Set(['invoke-expression', 'iex', 'start-process', 'saps', 'start', 'invoke-command', 'icm', 'start-job', 'sajb', '&', '.']);
const PS_NET = new Set(['invoke-webrequest', 'iwr', 'invoke-restmethod', 'irm', 'curl', 'wget', 'start-bitstransfer']);
const PS_PROC = new Set(['stop-process', 'kill', 'spps', 'stop-service', 'restart-service', 'set-service', 'restart-computer', 'stop-computer']);
const PS_READ = new Set(['get-childitem', 'gci', 'ls', 'dir', 'get-content', 'gc', 'cat', 'type', 'write-output', 'echo', 'write', 'write-host', 'select-string', 'sls', 'get-location', 'gl', 'pwd', 'test-path', 'get-process', 'ps', 'gps', 'measure-object', 'measure', 'sort-object', 'sort', 'where-object', 'where', '?', 'select-object', 'select', 'format-table', 'ft', 'format-list', 'fl', 'get-item', 'gi', 'get-date', 'resolve-path', 'split-path', 'join-path', 'get-command', 'gcm', 'get-help', 'get-host', 'get-itemproperty', 'gp', 'get-filehash', 'out-host', 'out-null', 'out-string', 'convertto-json', 'convertfrom-json', 'get-service', 'gsv', 'set-location', 'cd', 'sl', 'chdir', 'push-location', 'pop-location']);

const CMD_READ = new Set(['dir', 'type', 'echo', 'cd', 'chdir', 'set', 'ver', 'where', 'findstr', 'find', 'more', 'tree', 'cls', 'rem', 'title', 'vol', 'path', 'pushd', 'popd', 'exit', 'call', 'setlocal', 'endlocal']);

function isWindowsAbs(p: string): boolean {
  // `C:\x`, and the drive-relative `C:x` (T33), UNC `\\host`, environment references, home.
  return /^[a-zA-Z]:/.test(p) || p.startsWith('\\\\') || /^%[A-Za-z_]+%/.test(p) || /^\$env:/i.test(p) || /^\$HOME\b/i.test(p) || p.startsWith('~');
}

/** One target of a PowerShell or cmd command as an effect. */
function target(ctx: Ctx, op: 'delete' | 'overwrite' | 'create' | 'write', p: string, source: string, note: string): void {
  const unq = p.replace(/^['"]|['"]$/g, '');
  if (isWindowsAbs(unq) || /\$\w/.test(unq)) {
    const e: Effect = { kind: op, reversibility: op === 'delete' || op === 'overwrite' ? 'irreversible' : 'recoverable', detail: `${source} ${op === 'delete' ? 'deletes' : op === 'overwrite' ? 'overwrites' : 'writes'} ${unq}${note} (outside the workspace)`, target: unq, source, outsideWorkspace: true };
    add(ctx, e);
    return;
  }
  pathEffect(ctx, op, word(unq.replace(/\\/g, '/')), source, note);
}

/** Split a script into commands (`;`, `|`, `&&`, `||`, newlines; cmd also `&`), ignoring separators in quotes. */
function splitCommands(src: string, cmd: boolean): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let q: string | undefined;
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (q) {
      if (ch === q) q = undefined;
      cur += ch;
      continue;
    }
    if (ch === '"' || (ch === "'" && !cmd)) q = ch;
    if (!cmd && (ch === '{' || ch === '(')) depth++;
    if (!cmd && (ch === '}' || ch === ')')) depth--;
    if (depth === 0 && (ch === ';' || ch === '|' || ch === '\n' || (cmd && ch === '&'))) {
      if (src[i + 1] === ch) i++;
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (q || depth !== 0) return undefined;
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function tokens(s: string): string[] {
  return (s.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((x) => x);
}

function runPowerShell(script: string, ctx: Ctx, source: string, runScript: (s: string) => void): void {
  const cmds = splitCommands(script, false);
  if (!cmds) return unknownEffect(ctx, source, `${source} script with unbalanced quotes or braces`);
  for (const c of cmds) {
    const tk = tokens(c);
    const verb = (tk[0] ?? '').toLowerCase();
    const rest = tk.slice(1);
    const params = rest.filter((a) => a.startsWith('-'));
    const recurse = params.some((p) => /^-r(e(c(u(r(s(e)?)?)?)?)?)?$/i.test(p));
    const pathArgs = rest.filter((a, i) => !a.startsWith('-') && !/^-(filter|include|exclude|value|encoding|itemtype|name|method|body|uri|outfile|destination|newname)$/i.test(rest[i - 1] ?? ''));
    const named = (n: RegExp): string | undefined => {
      const i = rest.findIndex((a) => n.test(a));
      return i >= 0 ? rest[i + 1] : undefined;
    };
    if (PS_DELETE.has(verb)) {
      if (verb === 'format-volume' || verb === 'clear-disk' || verb === 'remove-partition') {
        plain(ctx, source, 'delete', 'irreversible', `${source}: ${verb} erases a disk or volume`, { outsideWorkspace: true });
        continue;
      }
      const targets = [named(/^-(path|literalpath)$/i), ...pathArgs].filter((x): x is string => !!x);
      if (targets.length === 0) unknownEffect(ctx, source, `${verb} without a path it can read`);
      for (const p of targets) target(ctx, 'delete', p, `${source} ${verb}`, recurse ? ' recursively' : '');
    } else if (PS_OVERWRITE.has(verb)) {
      const p = named(/^-(path|literalpath|filepath)$/i) ?? pathArgs[0];
      if (p) target(ctx, 'overwrite', p, `${source} ${verb}`, '');
      else unknownEffect(ctx, source, `${verb} without a path`);
    } else if (PS_MOVE.has(verb)) {
      const dest = named(/^-destination$/i) ?? named(/^-newname$/i) ?? pathArgs[pathArgs.length - 1];
      if (dest && pathArgs.length + (named(/^-destination$/i) ? 1 : 0) >= 2) target(ctx, 'overwrite', dest, `${source} ${verb}`, ' (replaces what is there)');
      else if (dest) target(ctx, 'overwrite', dest, `${source} ${verb}`, '');
    } else if (PS_CREATE.has(verb)) {
      const p = named(/^-(path|name)$/i) ?? pathArgs[0];
      if (p) target(ctx, 'create', p, `${source} ${verb}`, '');
    } else if (PS_EXEC.has(verb)) {
      execUnknown(ctx, source, `${source} ${verb} runs code Airlock has not read`);
    } else if (PS_NET.has(verb)) {
      const m = (named(/^-method$/i) ?? 'GET').toUpperCase();
      if (m === 'GET' || m === 'HEAD') plain(ctx, source, 'read', 'read', `${source} ${verb} downloads`, { network: true });
      else plain(ctx, source, 'network', m === 'DELETE' ? 'irreversible' : 'recoverable', `${source} ${verb} -Method ${m} changes remote state`, { network: true });
      const out = named(/^-outfile$/i);
      if (out) target(ctx, 'overwrite', out, `${source} ${verb}`, ' (download)');
    } else if (PS_PROC.has(verb)) {
      plain(ctx, source, 'process', 'recoverable', `${source} ${verb} stops processes or services`, { outsideWorkspace: true });
    } else if (PS_READ.has(verb)) {
      plain(ctx, source, 'read', 'read', `${source} ${verb}`);
    } else if (verb === 'git' || verb === 'npm' || verb === 'node' || verb === 'python') {
      runScript(c);
    } else {
      unknownEffect(ctx, source, `${source} command ${verb} is in no table`);
    }
  }
}

function runCmd(script: string, ctx: Ctx, runScript: (s: string) => void): void {
  const cmds = splitCommands(script, true);
  if (!cmds) return unknownEffect(ctx, 'cmd', 'cmd script with unbalanced quotes');
  for (const c of cmds) {
    const tk = tokens(c);
    const verb = (tk[0] ?? '').toLowerCase().replace(/^@/, '');
    const rest = tk.slice(1);
    const sw = rest.filter((a) => /^\/[a-z]/i.test(a)).map((a) => a.toLowerCase());
    const paths = rest.filter((a) => !/^\/[a-z]/i.test(a));
    if (verb === 'rd' || verb === 'rmdir') {
      for (const p of paths) {
        if (sw.includes('/s')) target(ctx, 'delete', p, `cmd ${verb}`, ' recursively');
        else {
          const before = ctx.effects.length;
          target(ctx, 'delete', p, `cmd ${verb}`, ' (empty folder only)');
          const e = ctx.effects[before];
          if (e && !e.outsideWorkspace) e.reversibility = 'reversible';
        }
      }
    } else if (verb === 'del' || verb === 'erase') {
      for (const p of paths) target(ctx, 'delete', p, `cmd ${verb}`, sw.includes('/s') ? ' in every subfolder' : '');
    } else if (verb === 'format') {
      plain(ctx, 'cmd format', 'delete', 'irreversible', `cmd format erases volume ${paths[0] ?? ''}`, { outsideWorkspace: true });
    } else if (verb === 'copy' || verb === 'move' || verb === 'xcopy' || verb === 'ren' || verb === 'rename') {
      const dest = paths[paths.length - 1];
      if (dest && paths.length >= 2) target(ctx, 'overwrite', dest, `cmd ${verb}`, '');
    } else if (verb === 'robocopy') {
      const dest = paths[1];
      if (dest) target(ctx, sw.includes('/mir') || sw.includes('/purge') ? 'delete' : 'overwrite', dest, 'cmd robocopy', sw.includes('/mir') || sw.includes('/purge') ? ' (/MIR deletes files not in the source)' : '');
    } else if (verb === 'mkdir' || verb === 'md') {
      for (const p of paths) target(ctx, 'create', p, `cmd ${verb}`, '');
    } else if (verb === 'powershell' || verb === 'pwsh' || verb === 'cmd') {
      runScript(c);
    } else if (CMD_READ.has(verb)) {
      plain(ctx, 'cmd', 'read', 'read', `cmd ${verb}`);
    } else if (verb === 'git' || verb === 'npm' || verb === 'node' || verb === 'python') {
      runScript(c);
    } else {
      unknownEffect(ctx, 'cmd', `cmd command ${verb} is in no table`);
    }
  }
}

export const otherShells: Family = (c) => {
  const { ctx, args } = c;
  const t = args.map((a) => a.text);
  const sub = (s: string): void => c.runScript(s, ctx, c.name);
  if (c.name === 'pwsh' || c.name === 'powershell' || c.name === 'powershell_ise') {
    let i = 0;
    while (i < t.length) {
      const a = t[i]!.toLowerCase();
      if (/^[-/](c|command)$/.test(a)) {
        runPowerShell(t.slice(i + 1).join(' '), ctx, c.name, sub);
        return true;
      }
      if (/^[-/](e|ec|encodedcommand)$/.test(a)) {
        execUnknown(ctx, c.name, `${c.name} -EncodedCommand runs a base64-encoded script nobody can read here`, 'unknown');
        return true;
      }
      if (/^[-/](f|file)$/.test(a)) {
        if (t[i + 1]) sub(`. ${JSON.stringify(t[i + 1])}`);
        return true;
      }
      if (/^[-/](version|v|help|\?)$/.test(a)) {
        plain(ctx, c.name, 'read', 'read', `${c.name} ${a}`);
        return true;
      }
      if (/^[-/](executionpolicy|ep|workingdirectory|wd|wo|windowstyle|outputformat|of|inputformat|if|configurationname|settingsfile)$/.test(a)) i += 2;
      else if (a.startsWith('-') || a.startsWith('/')) i++;
      else {
        // `pwsh script.ps1 args` or `powershell Remove-Item x` (the rest is the command).
        if (/\.ps1$/i.test(t[i]!)) sub(`. ${JSON.stringify(t[i])}`);
        else runPowerShell(t.slice(i).join(' '), ctx, c.name, sub);
        return true;
      }
    }
    if (c.stdin.kind === 'pipe') execUnknown(ctx, c.name, `pipes unknown code into ${c.name}`);
    else execUnknown(ctx, c.name, `${c.name} starts an interactive shell`);
    return true;
  }
  if (c.name === 'cmd') {
    const i = t.findIndex((a) => /^\/[ck]$/i.test(a));
    if (i < 0) {
      execUnknown(ctx, 'cmd', 'cmd without /c starts an interactive shell');
      return true;
    }
    runCmd(t.slice(i + 1).join(' '), ctx, sub);
    return true;
  }
  return false;
};
