/**
 * Options that make an ordinary program run other code or reach past the workspace (the GTFOBins
 * family, T24/T55): judged by what they run, not by the program's everyday verb.
 *
 * - `tar --checkpoint-action=exec=CMD`, `--to-command=CMD`, `-I/--use-compress-program CMD`,
 *   `--rsh-command CMD`, `-F/--info-script/--new-volume-script FILE`: the command is judged;
 * - `zip -TT/--unzip-command CMD`: the command is judged;
 * - `less`/`more` with a `+` start command that runs a shell (`+!cmd`, `+|cmd`): unknown code;
 * - containers (`docker|podman|nerdctl run|create`): a bind mount of a host path outside the
 *   workspace lets the container change or delete it (outside the workspace, unknown);
 *   `--privileged`, the host's PID/user namespace, the Docker socket: root on the host; `compose up
 *   -d` / `start` leave containers running after the kill switch.
 */
import { inspectPath } from '../../../paths.js';
import { execUnknown, plain } from '../shellContext.js';
import type { ShWord } from '../shellWords.js';
import { hasOpt, optValue, positionals } from './common.js';
import type { Family } from './types.js';

/** npm lifecycle script names (as in the file-edit rule, core/classify/file.ts). */
const LIFECYCLE = /\b(pre|post)?(install|uninstall|publish|prepublish|prepublishOnly|prepare|pack|version)\b\\?"?\s*:/;

const TAR_CMD = ['--to-command', '--use-compress-program', '--rsh-command', '-I'];
const TAR_SCRIPT = ['--info-script', '--new-volume-script', '-F'];

function valueOf(args: ShWord[], i: number, name: string): string | undefined {
  const a = args[i]!.text;
  if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  if (a === name) return args[i + 1]?.text;
  return undefined;
}

const CONTAINER = new Set(['docker', 'podman', 'nerdctl']);
const RUN_WITH_VALUE = new Set(['-v', '--volume', '--mount', '-e', '--env', '--name', '-p', '--publish', '-w', '--workdir', '-u', '--user', '--network', '--net', '--entrypoint', '-l', '--label', '--restart', '--env-file', '-h', '--hostname', '--pid', '--userns', '--cap-add', '--cap-drop', '--device', '--platform', '--pull', '-m', '--memory', '--cpus', '--add-host', '--dns', '--log-driver', '--ipc', '--uts', '--volumes-from', '--tmpfs', '--security-opt', '--ulimit', '--shm-size', '--gpus', '--cidfile', '--health-cmd', '--stop-signal', '--expose', '--link', '--runtime', '--cgroupns']);

export const hiddenExec: Family = (c) => {
  const { name, args, ctx } = c;
  if (name === 'tar' || name === 'gtar' || name === 'bsdtar') {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!.text;
      const cp = /^--checkpoint-action=(?:exec|shell)=(.*)$/s.exec(a);
      if (cp) c.runScript(cp[1]!, ctx, `${name} --checkpoint-action`);
      for (const o of TAR_CMD) {
        const v = valueOf(args, i, o);
        if (v !== undefined) c.runScript(v, ctx, `${name} ${o}`);
      }
      for (const o of TAR_SCRIPT) {
        const v = valueOf(args, i, o);
        if (v !== undefined) c.runScript(`sh ${JSON.stringify(v)}`, ctx, `${name} ${o}`);
      }
    }
    return false;
  }
  if (name === 'git' && args[0]?.text === 'mv' && !args.some((a) => a.text === '-n' || a.text === '--dry-run')) {
    // git mv moves files like mv (its destination judged the same way: protected paths, a file
    // already there); without -f git refuses to overwrite, like mv -n.
    const force = args.some((a) => a.text === '-f' || a.text === '--force');
    const ops = args.slice(1).filter((a) => !/^(-f|--force|-k|-v|--verbose|--)$/.test(a.text));
    if (ops.every((a) => !a.unknownVars.length && !a.subst)) c.runScript(['mv', ...(force ? [] : ['-n']), '--', ...ops.map((a) => `'${a.text.replace(/'/g, `'\\''`)}'`)].join(' '), ctx, 'git mv');
    return false;
  }
  if ((name === 'sed' || name === 'gsed' || name === 'perl') && args.some((a) => /^-[a-zA-Z]*i/.test(a.text) || a.text.startsWith('--in-place'))) {
    // An in-place edit of package.json whose expression names a lifecycle script adds code that
    // runs on install (T46), like the same edit made with the file-edit tool.
    const manifests = args.filter((a) => /(^|\/)package\.json$/i.test(a.text));
    const script = args.filter((a) => !manifests.includes(a)).map((a) => a.text).join(' ');
    if (manifests.length && LIFECYCLE.test(script)) {
      for (const m of manifests) {
        const abs = inspectPath(m.text, ctx.env).abs;
        plain(ctx, name, 'write', 'irreversible', `${name} -i adds or changes a package lifecycle script in ${abs} (runs code on install)`, { target: abs, securityConfig: true, exec: true });
      }
    }
    return false;
  }
  if (name === 'zip') {
    for (let i = 0; i < args.length; i++) {
      const v = valueOf(args, i, '-TT') ?? valueOf(args, i, '--unzip-command');
      if (v !== undefined) c.runScript(v, ctx, `${name} -TT`);
    }
    return false;
  }
  if (name === 'less' || name === 'more' || name === 'most') {
    if (args.some((a) => /^\+.*[!|]/.test(a.text)) || hasOpt(args, ['--lesskey-src', '--lesskey-file'])) execUnknown(ctx, name, `${name} runs a shell command from its start-up commands`);
    return false;
  }
  if (CONTAINER.has(name)) {
    const pos = positionals(args, RUN_WITH_VALUE).map((a) => a.text);
    const compose = pos[0] === 'compose';
    if (compose && pos.includes('up') && hasOpt(args, ['-d', '--detach'], 'd')) {
      plain(ctx, name, 'process', 'recoverable', `${name} compose up -d starts containers the daemon keeps running: keeps running after the kill switch`, { persists: true, outsideWorkspace: true });
      return false;
    }
    if (pos[0] === 'start' || (pos[0] === 'container' && pos[1] === 'start')) {
      plain(ctx, name, 'process', 'recoverable', `${name} start runs a container in the background, outside the agent's process tree: keeps running after the kill switch`, { persists: true, outsideWorkspace: true });
      return false;
    }
    const run = pos[0] === 'run' || pos[0] === 'create' || (pos[0] === 'container' && (pos[1] === 'run' || pos[1] === 'create'));
    if (run) containerRun(c, name, args);
    return false;
  }
  return false;
};

function containerRun(c: Parameters<Family>[0], name: string, args: ShWord[]): void {
  const { ctx } = c;
  const root = (why: string): void => plain(ctx, name, 'exec', 'unknown', `${name} run ${why}: the container is root on this machine`, { exec: true, outsideWorkspace: true });
  if (hasOpt(args, ['--privileged'])) root('--privileged');
  for (const o of ['--pid', '--userns']) if (optValue(args, [o])?.text === 'host') root(`${o}=host`);
  const caps = args.filter((a, i) => a.text.startsWith('--cap-add') || args[i - 1]?.text === '--cap-add').map((a) => a.text.replace(/^--cap-add=?/, '')).filter(Boolean);
  if (caps.some((x) => /^(all|sys_admin|sys_ptrace|sys_module|dac_read_search)$/i.test(x))) root(`--cap-add ${caps.join(',')}`);
  const mounts: Array<{ src: string; ro: boolean }> = [];
  // Words arrive with known variables expanded; the text of an unexpanded one still shows `$`.
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    const vol = a === '-v' || a === '--volume' ? args[i + 1]?.text : a.startsWith('--volume=') ? a.slice(9) : /^-v./.test(a) ? a.slice(2) : undefined;
    if (vol !== undefined) {
      const parts = vol.split(':');
      if (parts.length >= 2) mounts.push({ src: parts[0]!, ro: /(^|,)ro(,|$)/.test(parts.slice(2).join(':')) });
    }
    const mnt = a === '--mount' ? args[i + 1]?.text : a.startsWith('--mount=') ? a.slice(8) : undefined;
    if (mnt !== undefined) {
      const kv = Object.fromEntries(mnt.split(',').map((p) => [p.split('=')[0]!.trim(), p.includes('=') ? p.slice(p.indexOf('=') + 1) : 'true']));
      const src = kv.source ?? kv.src;
      if ((kv.type ?? 'volume') === 'bind' && src) mounts.push({ src, ro: kv.readonly === 'true' || kv.readonly === '1' || kv.ro === 'true' || kv.ro === '1' });
    }
  }
  for (const m of mounts) {
    // A named volume is a bare name; a host path starts with /, ~, . or $. The working directory
    // (`$(pwd)`, `$PWD`) is where the command runs; any other substitution is not known here.
    if (!/^[/~.$`]/.test(m.src)) continue;
    if (/^(\$\(pwd\)|`pwd`|\$PWD|\$\{PWD\})(\/|$)/.test(m.src)) m.src = m.src.replace(/^(\$\(pwd\)|`pwd`|\$PWD|\$\{PWD\})/, ctx.env.cwd);
    else if (/[$`]/.test(m.src)) {
      const detail = `${name} run mounts ${m.src} into the container: a host path that depends on variables or command output`;
      plain(ctx, name, 'write', 'unknown', detail, { outsideWorkspace: true });
      continue;
    }
    const info = inspectPath(m.src, ctx.env);
    const where = info.abs;
    if (/docker\.sock$|podman\.sock$|containerd\.sock$/.test(where)) {
      root(`with the container daemon's socket ${where} mounted`);
      continue;
    }
    if (info.insideWorkspace && !info.securityConfig) continue;
    if (m.ro) {
      if (info.secrets) plain(ctx, name, 'read', 'read', `${name} run mounts ${where} read-only into the container${info.secrets ? ` (secrets: ${info.secrets})` : ''}`, { secrets: true, outsideWorkspace: !info.insideWorkspace });
      continue;
    }
    const detail = `${name} run mounts ${where} into the container writable: what runs inside can change or delete it`;
    plain(ctx, name, 'write', 'unknown', detail, { target: where, outsideWorkspace: !info.insideWorkspace, ...(info.securityConfig ? { securityConfig: true } : {}) });
  }
}
