/**
 * Program names and wrappers: the canonical name of a program word (`\rm`, `/usr/bin/rm`, `RM.exe`)
 * and the table of wrappers that run the rest of their argv as a command (sudo, env, timeout, nice…),
 * with how each one's own options are skipped to reach that command.
 */
import { posix } from 'node:path';
import type { ShWord } from './shellWords.js';

const SYSTEM_BIN = new Set(['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/opt/homebrew/bin', '/opt/local/bin', '/usr/libexec', '/run/current-system/sw/bin', '/snap/bin']);

/** Wrappers that run the rest of their argv as a command. Data, not if-chains. */
export interface Wrapper {
  /** Options that take a value as the next word (or attached `-uroot`, `--user=root`). */
  withArg: string[];
  /** Positional words before the command (timeout's DURATION, chroot's NEWROOT). */
  positional?: number;
  /** `VAR=value` words before the command are skipped (env). */
  assignments?: boolean;
  /** Options that make the wrapper a lookup instead of running anything (command -v). */
  readIf?: string[];
  /** With no command left, the wrapper itself is a read (env, sudo -l) or starts a shell. */
  bare: 'read' | 'shell';
  /** Options whose value is itself a script (env -S, watch …). */
  scriptOpts?: string[];
  /** Numeric options like `nice -5`. */
  numeric?: boolean;
  /** The rest of the argv is joined and run by a shell (watch, sg, watchexec). */
  shellJoin?: boolean;
  /** Every positional word is a shell command of its own (hyperfine). */
  allScripts?: boolean;
  /** `-` alone is an option (su -), not the command. */
  dashOption?: boolean;
  /** With a script option given, the positional words are the user, not a command (su, runuser). */
  userWithScript?: boolean;
}
export const WRAPPERS: Record<string, Wrapper> = {
  sudo: { withArg: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-h', '--host', '-T', '--command-timeout'], readIf: ['-l', '--list', '-v', '--validate', '-k', '-K', '--reset-timestamp', '--remove-timestamp', '-V', '--version'], bare: 'shell' },
  doas: { withArg: ['-u', '-C'], bare: 'shell' },
  run0: { withArg: ['-u', '--user', '-D', '--chdir'], bare: 'shell' },
  pkexec: { withArg: ['--user'], bare: 'shell' },
  env: { withArg: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'], assignments: true, bare: 'read', scriptOpts: ['-S', '--split-string'] },
  timeout: { withArg: ['-s', '--signal', '-k', '--kill-after'], positional: 1, bare: 'read' },
  gtimeout: { withArg: ['-s', '--signal', '-k', '--kill-after'], positional: 1, bare: 'read' },
  nice: { withArg: ['-n', '--adjustment'], numeric: true, bare: 'read' },
  renice: { withArg: ['-n', '-p', '-g', '-u'], numeric: true, bare: 'read' },
  nohup: { withArg: [], bare: 'read' },
  time: { withArg: ['-f', '--format', '-o', '--output'], bare: 'read' },
  command: { withArg: [], readIf: ['-v', '-V'], bare: 'read' },
  builtin: { withArg: [], bare: 'read' },
  exec: { withArg: ['-a'], bare: 'read' },
  noglob: { withArg: [], bare: 'read' },
  nocorrect: { withArg: [], bare: 'read' },
  stdbuf: { withArg: ['-i', '--input', '-o', '--output', '-e', '--error'], bare: 'read' },
  ionice: { withArg: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'], bare: 'read' },
  chrt: { withArg: ['-p'], positional: 1, bare: 'read' },
  taskset: { withArg: ['-p'], positional: 1, bare: 'read' },
  chroot: { withArg: ['--userspec', '--groups'], positional: 1, bare: 'shell' },
  setsid: { withArg: [], bare: 'read' },
  unbuffer: { withArg: [], bare: 'read' },
  caffeinate: { withArg: ['-t', '-w'], bare: 'read' },
  torsocks: { withArg: [], bare: 'read' },
  proxychains: { withArg: ['-f'], bare: 'read' },
  proxychains4: { withArg: ['-f'], bare: 'read' },
  flock: { withArg: ['-w', '--timeout', '-E', '--conflict-exit-code'], positional: 1, bare: 'read', scriptOpts: ['-c', '--command'] },
  watch: { withArg: ['-n', '--interval', '-q', '--equexit'], bare: 'read', shellJoin: true },
  strace: { withArg: ['-o', '-e', '-p', '-s', '-u', '-P', '-a', '-b', '-E', '-X', '-I', '-O', '-S'], bare: 'read' },
  ltrace: { withArg: ['-o', '-e', '-p', '-s', '-u', '-a', '-A', '-D', '-E', '-F', '-l', '-n', '-x', '-w'], bare: 'read' },
  su: { withArg: ['-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'], scriptOpts: ['-c', '--command', '--session-command'], bare: 'shell', dashOption: true, userWithScript: true, positional: 1 },
  runuser: { withArg: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-s', '--shell', '-w', '--whitelist-environment'], scriptOpts: ['-c', '--command', '--session-command'], bare: 'shell', dashOption: true, userWithScript: true },
  sg: { withArg: [], scriptOpts: ['-c'], positional: 1, bare: 'shell', shellJoin: true },
  sshpass: { withArg: ['-p', '-f', '-d', '-P', '-e'], bare: 'read' },
  unshare: { withArg: ['-S', '--setuid', '-G', '--setgid', '-R', '--root', '-w', '--wd', '--map-user', '--map-group', '--propagation'], bare: 'shell' },
  nsenter: { withArg: ['-t', '--target', '-S', '--setuid', '-G', '--setgid', '-r', '--root', '-w', '--wd'], bare: 'shell' },
  firejail: { withArg: [], bare: 'shell' },
  'systemd-run': { withArg: ['-u', '--unit', '-p', '--property', '-d', '--description', '--slice', '-E', '--setenv', '--on-calendar', '--on-active', '--on-boot', '--uid', '--gid', '--working-directory', '-M', '--machine', '-H', '--host'], bare: 'read' },
  gosu: { withArg: [], positional: 1, bare: 'read' },
  'su-exec': { withArg: [], positional: 1, bare: 'read' },
  setpriv: { withArg: ['--reuid', '--regid', '--groups', '--inh-caps', '--ambient-caps', '--bounding-set', '--securebits', '--selinux-label', '--apparmor-profile'], bare: 'read' },
  prlimit: { withArg: ['-p', '--pid', '-o', '--output'], bare: 'read' },
  numactl: { withArg: ['-N', '--cpunodebind', '-m', '--membind', '-C', '--physcpubind', '-p', '--preferred', '-i', '--interleave'], bare: 'read' },
  cgexec: { withArg: ['-g'], bare: 'read' },
  chpst: { withArg: ['-u', '-U', '-e', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c'], bare: 'read' },
  faketime: { withArg: ['-f'], positional: 1, bare: 'read' },
  tini: { withArg: ['-s', '-e', '-p'], bare: 'read' },
  'dumb-init': { withArg: ['-r', '--rewrite'], bare: 'read' },
  catchsegv: { withArg: [], bare: 'read' },
  valgrind: { withArg: [], bare: 'read' },
  ifne: { withArg: [], bare: 'read' },
  chronic: { withArg: [], bare: 'read' },
  hyperfine: { withArg: ['-w', '--warmup', '-r', '--runs', '-m', '--min-runs', '-M', '--max-runs', '--export-json', '--export-markdown', '--export-csv', '-n', '--command-name', '-s', '--shell', '-P', '--parameter-scan', '-L', '--parameter-list', '-u', '--time-unit', '--style', '-N'], scriptOpts: ['-p', '--prepare', '-c', '--cleanup', '--setup'], allScripts: true, bare: 'read' },
  watchexec: { withArg: ['-w', '--watch', '-e', '--exts', '-f', '--filter', '-i', '--ignore', '-s', '--signal', '-d', '--debounce', '--shell', '-E', '--env', '--delay-run', '--project-origin', '--workdir', '--on-busy-update'], bare: 'read', shellJoin: true },
  nodemon: { withArg: ['-w', '--watch', '-e', '--ext', '-i', '--ignore', '-d', '--delay', '--signal', '--config'], scriptOpts: ['-x', '--exec'], bare: 'read' },
  direnv: { withArg: [], positional: 2, bare: 'read' },
  'op-run': { withArg: [], bare: 'read' },
  'xvfb-run': { withArg: ['-n', '-s', '-f', '-e'], bare: 'read' },
  'dbus-run-session': { withArg: [], bare: 'read' },
};

/** Canonical program name: quotes already removed; strips `\`, system bin dirs, case, `.exe`. */
export function programName(word: string): { name: string; local?: string } {
  let t = word.normalize('NFC');
  if (t.includes('/')) {
    const norm = posix.normalize(t);
    const dir = posix.dirname(norm);
    if (SYSTEM_BIN.has(dir)) t = posix.basename(norm);
    else return { name: posix.basename(norm).toLowerCase(), local: norm };
  }
  t = t.toLowerCase();
  if (t.endsWith('.exe')) t = t.slice(0, -4);
  return { name: t };
}

export function stripWrapper(spec: Wrapper, args: ShWord[]): { rest: ShWord[]; read: boolean; scripts: string[] } {
  let i = 0;
  let positional = spec.positional ?? 0;
  const scripts: string[] = [];
  while (i < args.length) {
    const a = args[i]!.text;
    if (a === '--') {
      i++;
      break;
    }
    if (spec.readIf?.includes(a)) return { rest: [], read: true, scripts };
    if (a === '-' && spec.dashOption) {
      i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const [opt] = a.split('=', 1) as [string];
      const takes = spec.withArg.includes(opt) && !a.includes('=');
      if (spec.scriptOpts?.includes(opt)) {
        const v = a.includes('=') ? a.slice(opt.length + 1) : args[i + 1]?.text;
        if (v !== undefined) scripts.push(v);
      }
      // Attached short option values (`-uroot`) are part of the same word.
      i += takes ? 2 : 1;
      continue;
    }
    if (spec.numeric && /^-?\d+$/.test(a)) {
      i++;
      continue;
    }
    if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
      i++;
      continue;
    }
    if (positional > 0) {
      positional--;
      i++;
      continue;
    }
    break;
  }
  // su/runuser: after the user, options still follow (`su root -c cmd`).
  if (spec.userWithScript) {
    for (let j = i; j < args.length; j++) {
      const [opt] = args[j]!.text.split('=', 1) as [string];
      if (spec.scriptOpts?.includes(opt)) {
        const v = args[j]!.text.includes('=') ? args[j]!.text.slice(opt.length + 1) : args[j + 1]?.text;
        if (v !== undefined && !scripts.includes(v)) scripts.push(v);
      }
    }
    if (scripts.length) return { rest: [], read: false, scripts };
  }
  return { rest: args.slice(i), read: false, scripts };
}
