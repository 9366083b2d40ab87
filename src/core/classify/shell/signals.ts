/**
 * kill, pkill, killall, killall5: which processes a signal reaches. Signalling a process the agent
 * started, or one server by name, is recoverable (start it again). A signal to every process the
 * user may signal (`kill -9 -1`, `pkill -u "$USER"`, `killall -u bob`, a pattern that matches every
 * command line, `killall5`) or to PID 1 (the system's init, a container's only process) ends the
 * editor, the agent, Airlock's own gate and every unsaved piece of work with them: irreversible,
 * asked. Listing signals (`kill -l`, `kill -L`) reads.
 */
import type { Reversibility } from '../../effects.js';

export interface SignalVerdict {
  kind: 'process' | 'read';
  rev: Reversibility;
  detail: string;
}

/**
 * kill's operands (PIDs, process groups, job specs). As bash's builtin and procps read it: a first
 * word starting with `-` is the signal (`-9`, `-KILL`, `-1` = SIGHUP), `-s`/`-n` take it as the next
 * word; every word after it is an operand (`kill -9 -1`: -1 is every process), `--` ends options.
 */
function killTargets(t: readonly string[]): { list: boolean; targets: string[] } {
  const first = t[0];
  if (first === undefined) return { list: false, targets: [] };
  if (first === '-l' || first === '-L' || first === '--list' || first === '--table') return { list: true, targets: [] };
  if (first === '--') return { list: false, targets: t.slice(1) };
  let rest: readonly string[] = t;
  if (first === '-s' || first === '-n' || first === '--signal') rest = t.slice(2);
  else if (first.startsWith('-')) rest = t.slice(1);
  if (rest[0] === '--') rest = rest.slice(1);
  return { list: false, targets: [...rest] };
}

/** Options of pkill / killall that take a value (the value is not the pattern); the user selectors are read on their own. */
const PKILL_VALUE = new Set(['-G', '-g', '-P', '-s', '-t', '-F', '--group', '--pgroup', '--parent', '--session', '--terminal', '--pidfile', '--signal', '--ns', '--nslist', '-o', '-y', '--older-than', '--younger-than', '-Z', '--context']);

export function signalEffect(name: string, t: readonly string[]): SignalVerdict {
  const every = (how: string): SignalVerdict => ({ kind: 'process', rev: 'irreversible', detail: `${name} ${how}: ends every process it reaches (the editor, the agent, Airlock's gate, unsaved work in all of them)` });
  if (name === 'killall5') return every('signals every process on the system');
  if (name === 'kill') {
    const { list, targets } = killTargets(t);
    if (list) return { kind: 'read', rev: 'read', detail: 'kill -l lists signal names' };
    if (targets.includes('-1')) return every('-1 signals every process the user may signal');
    if (targets.includes('1')) return every("1 signals PID 1 (the system's init, or a container's only process)");
    return { kind: 'process', rev: 'recoverable', detail: `kill signals ${targets.join(' ') || 'processes'}` };
  }
  // pkill / killall: a user-wide selector, or a pattern every command line matches.
  const patterns: string[] = [];
  let userWide = false;
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    if (a === '-u' || a === '-U' || a === '--user' || a === '--euid' || a === '--uid') {
      userWide = true;
      i++;
      continue;
    }
    if (/^--(?:user|euid|uid)=/.test(a) || /^-[uU]\S/.test(a)) {
      userWide = true;
      continue;
    }
    if (PKILL_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    patterns.push(a);
  }
  const matchesAll = (p: string): boolean => p === '' || /^(?:\.\*?|\.\+|\^|\$|\^\.\*\$?|\.)$/.test(p);
  if (patterns.some(matchesAll)) return every(`${patterns.find(matchesAll) || "''"} matches every command line`);
  // `pkill -u bob` with no pattern signals all of bob's processes; with a pattern, only those that match.
  if (userWide && patterns.length === 0) return every('-u signals every process of that user');
  return { kind: 'process', rev: 'recoverable', detail: `${name} signals ${patterns.join(' ') || 'processes'}` };
}
