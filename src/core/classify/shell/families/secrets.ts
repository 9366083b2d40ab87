/**
 * T42: secrets read by search, history and environment tools. `grep -r TOKEN .`, `rg -i api_key`,
 * `git grep password`, `git log -p -S SECRET` print credential values found anywhere in the tree or
 * its history; `env`, `printenv`, `set`, `export -p`, `declare -p` and `/proc/<pid>/environ` print
 * the tokens held in the environment. These reads carry the `secrets` flag (ask). In the same line
 * as something that sends data off the machine, the line is an exfiltration (lineEffects: deny).
 *
 * A search for a secret-looking name in one named source file is not flagged; a search of a folder
 * (recursive, or a tool that recurses by default) is.
 */
import { absolutize, secretReason } from '../../../paths.js';
import { pathEffect, plain } from '../shellContext.js';
import type { ShWord } from '../shellWords.js';
import { positionals } from './common.js';
import type { Family } from './types.js';

export const SECRET_NAME = /(token|secret|passw|pwd\b|api[_-]?key|apikey|private[_-]?key|credential|auth[_-]?key|access[_-]?key|client[_-]?secret|bearer|session[_-]?key|\bAKIA|\bASIA|ghp_|gho_|github_pat|glpat-|xox[abprs]-|\bsk-|sk_live|rk_live|AIza|BEGIN [A-Z ]*PRIVATE|connection[_-]?string|database_url|dsn\b|\.env\b)/i;

const GREP_WITH_ARG = new Set(['-e', '--regexp', '-f', '--file', '-m', '--max-count', '-A', '-B', '-C', '--context', '--after-context', '--before-context', '--include', '--exclude', '--exclude-dir', '-g', '--glob', '-t', '--type', '-T', '--type-not', '--label', '-d', '--directories', '-D', '--devices', '--color', '--colour', '-j', '--threads', '-M', '--max-columns', '--max-depth', '--iglob', '--pre', '-E', '--encoding', '--ignore-file', '-r', '--replace']);

function search(c: Parameters<Family>[0], args: ShWord[], recursiveByDefault: boolean, label: string): void {
  const { ctx } = c;
  const rg = label === 'rg' || label === 'ag' || label === 'ack' || label === 'git grep';
  const withArg = rg ? GREP_WITH_ARG : new Set([...GREP_WITH_ARG].filter((x) => x !== '-r' && x !== '-E'));
  const patterns = args.flatMap((a, i) => (args[i - 1] && (args[i - 1]!.text === '-e' || args[i - 1]!.text === '--regexp') ? [a.text] : a.text.startsWith('--regexp=') ? [a.text.slice(9)] : []));
  const pos = positionals(args, withArg);
  if (patterns.length === 0 && pos[0]) patterns.push(pos.shift()!.text);
  else if (patterns.length > 0) void 0;
  const hit = patterns.find((p) => SECRET_NAME.test(p));
  if (!hit) return;
  const recursive = recursiveByDefault || args.some((a) => /^-[a-zA-Z]*[rR]/.test(a.text) && !a.text.startsWith('--') || a.text === '--recursive' || a.text === '--dereference-recursive');
  const files = pos.filter((w) => !w.unknownVars.length);
  const folder = files.length === 0 ? recursive || c.stdin.kind === 'none' : files.some((w) => w.glob || ctx.env.fs.kind(absolutize(w.text, ctx.env)) === 'dir' || w.text === '.' || w.text.endsWith('/'));
  if (!(folder && (recursive || files.some((w) => w.glob)))) return;
  const where = files.length ? files.map((w) => w.text).join(' ') : '.';
  plain(ctx, label, 'read', 'read', `${label} searches ${where} for ${JSON.stringify(hit)}: prints any credential values it finds`, { secrets: true, target: absolutize(files[0]?.text ?? '.', ctx.env) });
}

export const secretSearches: Family = (c) => {
  const { ctx, name, args } = c;
  const t = args.map((a) => a.text);
  // /proc/<pid>/environ by any program (cat, strings, xargs -0 …), globs included.
  for (const a of args) {
    if (/^\/proc\/[^/]+\/environ$/.test(a.text)) plain(ctx, name, 'read', 'read', `${name} reads ${a.text}: a process's environment (tokens)`, { secrets: true, target: a.text });
  }
  // Files uploaded by HTTP clients (`-d @f`, `-F x=@f`, `-T f`, `--data-binary @f`): reads, so a
  // secret file in the same line as the upload makes the line an exfiltration.
  if (name === 'curl' || name === 'wget' || name === 'http' || name === 'https' || name === 'xh') {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!.text;
      const m = /^@(.+)$/.exec(a) ?? /^[^=\s]+=@([^;]+)/.exec(a) ?? /^--(?:post|body)-file=(.+)$/.exec(a);
      const up = (a === '-T' || a === '--upload-file' || a === '--post-file' || a === '--body-file') ? args[i + 1]?.text : undefined;
      const f = m?.[1] ?? up;
      if (f && f !== '-') pathEffect(ctx, 'read', { ...args[i]!, text: f }, name, ' (uploaded)');
    }
    return false;
  }
  // `find . -name "*.env" -exec cat {} \;`, `find ~ -name id_rsa -print`: a search for secret files by name.
  if (name === 'find') {
    const i = args.findIndex((a, j) => /^-i?(name|path|wholename|regex)$/.test(args[j]!.text) && j + 1 < args.length);
    const pats = args.flatMap((a, j) => (/^-i?(name|path|wholename|regex)$/.test(a.text) && args[j + 1] ? [args[j + 1]!.text] : []));
    const hit = pats.find((p) => secretReason('/' + p.replace(/[*?[\]]/g, 'x').replace(/^\.?\/?/, '')) !== undefined || /(^|[*/.])(env|pem|key|p12|pfx|kdbx|tfvars)$|id_(rsa|dsa|ecdsa|ed25519|\*)|credentials|\.npmrc|\.netrc|secret/i.test(p));
    if (i >= 0 && hit) plain(ctx, 'find', 'read', 'read', `find looks for secret files by name (${hit})`, { secrets: true });
    return false;
  }
  switch (name) {
    case 'grep':
    case 'egrep':
    case 'fgrep':
    case 'zgrep':
      search(c, args, false, name);
      return false;
    case 'rg':
    case 'ag':
    case 'ack':
    case 'ack-grep':
    case 'pt':
    case 'ugrep':
      search(c, args, name !== 'ugrep', name === 'ack-grep' ? 'ack' : name);
      return false;
    case 'git': {
      let i = 0;
      while (i < t.length && t[i]!.startsWith('-')) i += /^(-c|-C|--git-dir|--work-tree|--namespace)$/.test(t[i]!) ? 2 : 1;
      const verb = t[i]?.toLowerCase();
      const rest = args.slice(i + 1);
      if (verb === 'grep') search(c, rest, true, 'git grep');
      if (verb === 'log' || verb === 'show' || verb === 'whatchanged' || verb === 'rev-list') {
        const picks = rest.flatMap((a, j) => {
          const x = a.text;
          if (/^-[SG]./.test(x)) return [x.slice(2)];
          if ((x === '-S' || x === '-G' || x === '--grep') && rest[j + 1]) return [rest[j + 1]!.text];
          if (x.startsWith('--grep=')) return [x.slice(7)];
          return [];
        });
        const hit = picks.find((p) => SECRET_NAME.test(p));
        if (hit) plain(ctx, `git ${verb}`, 'read', 'read', `git ${verb} searches the history for ${JSON.stringify(hit)}: prints credential values committed at any time`, { secrets: true });
      }
      return false;
    }
    case 'echo':
    case 'printf':
    case 'print': {
      // `echo $GITHUB_TOKEN`: a variable of the caller's environment named like a credential,
      // printed into the agent's transcript (a variable the line itself set is resolved, not this).
      const named = args.flatMap((a) => a.unknownVars).find((v) => SECRET_NAME.test(v));
      if (named) plain(ctx, name, 'read', 'read', `${name} prints $${named}, an environment variable named like a credential`, { secrets: true });
      return false;
    }
    case 'env':
    case 'printenv': {
      const bare = name === 'env' ? t.every((a) => a.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) && !t.some((a) => /^(-u|--unset|-C|--chdir|-S|--split-string)$/.test(a)) : t.filter((a) => !a.startsWith('-')).length === 0;
      const named = name === 'printenv' ? t.filter((a) => !a.startsWith('-')).find((a) => SECRET_NAME.test(a)) : undefined;
      if (bare || named) plain(ctx, name, 'read', 'read', named ? `printenv ${named}: prints a credential` : `${name} prints every environment variable (tokens and keys included)`, { secrets: true });
      return false;
    }
    case 'set':
    case 'export':
    case 'declare':
    case 'typeset':
    case 'compgen': {
      const dumps = name === 'set' ? t.length === 0 || t.every((a) => a === '-o' || a === '--posix') && false || t.length === 0
        : name === 'export' ? t.length === 0 || (t.length === 1 && t[0] === '-p')
        : name === 'compgen' ? t.includes('-e') || t.includes('-v')
        : t.length === 0 || t.every((a) => /^-[pxg]+$/.test(a));
      if (dumps) plain(ctx, name, 'read', 'read', `${name} ${t.join(' ')} prints shell and environment variables (tokens included)`.replace(/  +/g, ' '), { secrets: true });
      return false;
    }
    default:
      return false;
  }
};
