/**
 * T55/T56: work that outlives the kill switch. The kill switch ends the agent's process tree and
 * latches; a process that detached itself (nohup, setsid, disown, a tmux or screen session), a job
 * handed to a scheduler (at, batch, systemd-run, cron) or to a supervisor that restarts it (pm2,
 * forever, a container with a restart policy) keeps running or comes back. Such commands carry the
 * `persists` flag: at least ask, never cached. A plain `cmd &` stays in the process tree and is not
 * flagged (the kill switch reaches it).
 */
import { plain } from '../shellContext.js';
import { hasOpt, optValue, positionals } from './common.js';
import type { Family } from './types.js';

const persist = (c: Parameters<Family>[0], detail: string, extra: { outsideWorkspace?: boolean; securityConfig?: boolean } = {}): void =>
  plain(c.ctx, c.name, 'process', 'recoverable', `${detail}: keeps running after the kill switch`, { persists: true, ...extra });

export const persistence: Family = (c) => {
  const { name, args, ctx, stdin } = c;
  const t = args.map((a) => a.text);
  const first = t.find((a) => !a.startsWith('-'))?.toLowerCase();
  switch (name) {
    case 'nohup':
      if (t.length) persist(c, 'nohup detaches the command from the session');
      return false;
    case 'setsid':
      if (t.length) persist(c, 'setsid starts the command in a new session, outside the agent\'s process group');
      return false;
    case 'disown':
      persist(c, 'disown removes background jobs from the shell, so they survive it');
      return true;
    case 'daemonize':
    case 'start-stop-daemon':
      persist(c, `${name} starts a daemon`);
      return false;
    case 'tmux': {
      if (first === undefined || /^(ls|list-\w+|has-session|has|show-\w+|display-message|display|info|capture-pane|kill-server|kill-session|kill-window|kill-pane|attach|attach-session|a|at)$/.test(first)) return false;
      if (/^(new|new-session|new-window|neww|split-window|splitw|respawn-pane|respawn-window|send-keys|send|run-shell|run)$/.test(first)) {
        persist(c, `tmux ${first} runs a command in a tmux session that outlives the agent`);
      }
      return false;
    }
    case 'screen': {
      if (hasOpt(args, ['-ls', '-list', '-r', '-x', '-R', '-wipe', '-v', '--version', '-h', '--help'])) return false;
      if (t.some((a) => /^-[a-zA-Z]*d[a-zA-Z]*m|^-[a-zA-Z]*m[a-zA-Z]*d|^-D[a-zA-Z]*m/.test(a)) || (t.includes('-d') && t.includes('-m')) || t.includes('-X')) {
        persist(c, 'screen starts a detached session that outlives the agent');
      }
      return false;
    }
    case 'at':
    case 'batch': {
      if (hasOpt(args, ['-l', '-V', '-c', '-r', '-d'])) return false;
      persist(c, `${name} schedules a job for later`, { securityConfig: true });
      const f = optValue(args, ['-f']);
      if (f) c.runScript(`. ${JSON.stringify(f.text)}`, ctx, name);
      else if (stdin.kind === 'text') c.runScript(stdin.text, ctx, `${name} job`);
      else if (stdin.kind === 'pipe') plain(ctx, name, 'exec', 'unknown', `${name} schedules whatever the previous command prints (unknown code, run later)`, { exec: true });
      return true;
    }
    case 'systemd-run':
      persist(c, 'systemd-run starts a transient service outside the agent\'s process tree', { outsideWorkspace: true });
      return false;
    case 'launchctl':
      if (first && /^(load|bootstrap|submit|enable|kickstart)$/.test(first)) persist(c, `launchctl ${first} installs or starts a launch agent`, { securityConfig: true, outsideWorkspace: true });
      return false;
    case 'systemctl':
      if (first && /^(enable|start|restart|link|reenable|preset)$/.test(first) && t.includes('--user')) persist(c, `systemctl --user ${first} starts or installs a user service`, { securityConfig: first !== 'start' && first !== 'restart' });
      else if (first === 'enable' || first === 'link') persist(c, `systemctl ${first} installs a service that starts at boot`, { securityConfig: true });
      return false;
    case 'crontab':
      if (!hasOpt(args, ['-l'])) persist(c, 'crontab installs scheduled jobs', { securityConfig: true, outsideWorkspace: true });
      return false;
    case 'pm2':
    case 'forever':
    case 'supervisorctl':
    case 'nodemon-daemon': {
      if (first && /^(start|restart|reload|resurrect|startup|save|update|scale)$/.test(first)) persist(c, `${name} ${first} keeps a process running and restarts it`, first === 'startup' || first === 'save' ? { securityConfig: true } : {});
      return false;
    }
    case 'docker':
    case 'podman':
    case 'nerdctl': {
      const pos = positionals(args).map((a) => a.text);
      const run = pos[0] === 'run' || (pos[0] === 'container' && pos[1] === 'run') || pos[0] === 'create';
      const restart = optValue(args, ['--restart'])?.text;
      if (run && restart && restart !== 'no') persist(c, `${name} ${pos[0]} --restart=${restart} starts a container the daemon restarts`, { outsideWorkspace: true });
      else if (pos[0] === 'update' && restart && restart !== 'no') persist(c, `${name} update --restart=${restart}`, { outsideWorkspace: true });
      else if (run && hasOpt(args, ['-d', '--detach'], 'd')) persist(c, `${name} ${pos[0]} -d starts a detached container (not in the agent's process tree)`, { outsideWorkspace: true });
      return false;
    }
    default:
      return false;
  }
};
