/**
 * git: a table of verbs and flags with their reversibility. Global options before the verb
 * (`-C dir`, `-c k=v`, `--no-pager`, `--git-dir=…`) are skipped; verbs and long flags are matched
 * case-insensitively (`git RESET --HARD` runs on case-insensitive file systems).
 */
import type { Reversibility } from '../../effects.js';
import { execUnknown, network, pathEffect, plain, type Ctx } from './shellContext.js';
import type { ShWord } from './shellWords.js';

const GLOBAL_WITH_ARG = new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env', '--super-prefix']);

interface Rule {
  /** Matches when any of these flags is present (short flags may be bundled: -fd). */
  flags?: string[];
  /** Matches when the first positional argument (sub-verb) is one of these. */
  sub?: string[];
  /** Matches when the args contain `--` (paths follow). */
  dashdash?: boolean;
  /** Custom predicate over args. */
  when?: (args: string[]) => boolean;
  rev: Reversibility;
  kind: 'read' | 'write' | 'delete' | 'overwrite' | 'network' | 'exec';
  detail: string;
}
interface Verb {
  /** Checked in order; the first match wins; `base` applies otherwise. */
  rules: Rule[];
  base: Omit<Rule, 'flags' | 'sub' | 'when' | 'dashdash'>;
  /** Flags that make any use of the verb a dry run. */
  dry?: string[];
}

/** Short options that take a value: in a bundle (`-bfeature`) the rest of the word is that value. */
const ARG_LETTERS = 'bBcCmuoS';
const beforeDashDash = (args: string[]): string[] => (args.includes('--') ? args.slice(0, args.indexOf('--')) : args);
function shortLetters(a: string): string {
  if (!/^-[a-zA-Z][^-]*$/.test(a)) return '';
  let out = '';
  for (const ch of a.slice(1)) {
    if (!/[a-zA-Z]/.test(ch)) break;
    out += ch;
    if (ARG_LETTERS.includes(ch)) break;
  }
  return out;
}
const hasFlag = (args: string[], flag: string): boolean =>
  beforeDashDash(args).some((a) => {
    if (flag.startsWith('--')) return a === flag || a.startsWith(flag + '=');
    return a === flag || shortLetters(a).includes(flag[1]!);
  });
const positional = (args: string[]): string[] => beforeDashDash(args).filter((a) => !a.startsWith('-'));
const forcePush = (args: string[]): boolean =>
  beforeDashDash(args).some((a) => /^--force(?!-with-lease$)(?!-with-lease=)/.test(a) || a === '--mirror' || a === '--delete' || a === '--prune' || /[fd]/.test(shortLetters(a))) ||
  positional(args).some((a) => a.startsWith('+') || a.startsWith(':'));

const READ = { rev: 'read', kind: 'read', detail: 'reads the repository' } as const;
const LOCAL = { rev: 'reversible', kind: 'write', detail: 'records new history (undo with reflog/reset)' } as const;
const RECOVERABLE = { rev: 'recoverable', kind: 'write', detail: 'rewrites refs or history (recoverable from the reflog)' } as const;
const DISCARD = { rev: 'irreversible', kind: 'overwrite', detail: 'discards uncommitted changes in the working tree' } as const;

export const GIT_VERBS: Record<string, Verb> = {
  status: { rules: [], base: READ },
  log: { rules: [], base: READ },
  diff: { rules: [], base: READ },
  show: { rules: [], base: READ },
  blame: { rules: [], base: READ },
  grep: { rules: [], base: READ },
  'ls-files': { rules: [], base: READ },
  'ls-remote': { rules: [], base: { rev: 'read', kind: 'read', detail: 'lists remote refs' } },
  'rev-parse': { rules: [], base: READ },
  describe: { rules: [], base: READ },
  shortlog: { rules: [], base: READ },
  reflog: { rules: [{ sub: ['expire', 'delete'], rev: 'irreversible', kind: 'delete', detail: 'expires reflog entries (the safety net for lost commits)' }], base: READ },
  remote: { rules: [{ sub: ['remove', 'rm', 'set-url', 'rename', 'prune'], rev: 'recoverable', kind: 'write', detail: 'changes remote configuration' }, { sub: ['add'], rev: 'reversible', kind: 'write', detail: 'adds a remote' }], base: READ },
  config: { rules: [{ when: (a) => a.some((x) => /^--(get|list|get-all|get-regexp)$/.test(x) || x === '-l') || positional(a).length <= 1, ...READ }], base: { rev: 'recoverable', kind: 'write', detail: 'changes git configuration' } },
  add: { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'stages changes' } },
  commit: { rules: [], base: LOCAL },
  fetch: { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'downloads remote refs' } },
  pull: { rules: [{ flags: ['--force', '-f'], ...RECOVERABLE }], base: { rev: 'reversible', kind: 'write', detail: 'merges remote changes' } },
  merge: { rules: [{ flags: ['--abort'], rev: 'irreversible', kind: 'overwrite', detail: 'aborts the merge, discarding conflict resolutions' }], base: LOCAL },
  'cherry-pick': { rules: [], base: LOCAL },
  revert: { rules: [], base: LOCAL },
  tag: { rules: [{ flags: ['-d', '--delete'], rev: 'recoverable', kind: 'delete', detail: 'deletes a tag' }, { flags: ['-f', '--force'], ...RECOVERABLE }, { when: (a) => positional(a).length === 0 || hasFlag(a, '-l') || hasFlag(a, '--list'), ...READ }], base: LOCAL },
  init: { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'creates a repository' } },
  clone: { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'clones a repository' } },
  switch: { rules: [{ flags: ['--discard-changes', '-f', '--force'], ...DISCARD }], base: { rev: 'reversible', kind: 'write', detail: 'switches branches' } },
  checkout: {
    rules: [
      { flags: ['-b', '-B', '--orphan'], when: (a) => !a.includes('--') && !hasFlag(a, '-f') && !hasFlag(a, '--force'), rev: 'reversible', kind: 'write', detail: 'creates and switches to a branch' },
      { dashdash: true, ...DISCARD, detail: 'overwrites working-tree files with the committed version (uncommitted changes are lost)' },
      { flags: ['-f', '--force', '--ours', '--theirs', '-p', '--patch'], ...DISCARD },
      { when: (a) => positional(a).some((p) => p === '.' || p.includes('/') || /\.\w+$/.test(p) || p.includes('*')), ...DISCARD, detail: 'checks out paths over uncommitted changes' },
    ],
    base: { rev: 'reversible', kind: 'write', detail: 'switches branches' },
  },
  restore: {
    rules: [
      { when: (a) => (hasFlag(a, '--staged') || hasFlag(a, '-S')) && !hasFlag(a, '--worktree') && !hasFlag(a, '-W'), rev: 'reversible', kind: 'write', detail: 'unstages changes' },
    ],
    base: { ...DISCARD, detail: 'restores working-tree files (uncommitted changes are lost)' },
  },
  reset: {
    rules: [
      { flags: ['--hard', '--merge', '--keep'], ...DISCARD, detail: 'resets the working tree (uncommitted changes are lost)' },
      { dashdash: true, rev: 'reversible', kind: 'write', detail: 'unstages paths' },
    ],
    base: { rev: 'recoverable', kind: 'write', detail: 'moves the branch (recoverable from the reflog)' },
  },
  clean: {
    dry: ['-n', '--dry-run'],
    rules: [{ flags: ['-f', '--force', '-i', '--interactive'], rev: 'irreversible', kind: 'delete', detail: 'deletes untracked files (they were never committed)' }],
    base: READ,
  },
  stash: {
    rules: [
      { sub: ['drop', 'clear'], rev: 'irreversible', kind: 'delete', detail: 'drops stashed changes' },
      { sub: ['list', 'show'], ...READ },
      { sub: ['pop', 'apply', 'branch'], rev: 'recoverable', kind: 'write', detail: 'applies stashed changes onto the working tree' },
    ],
    base: { rev: 'reversible', kind: 'write', detail: 'stashes changes' },
  },
  branch: {
    rules: [
      { flags: ['-D'], rev: 'irreversible', kind: 'delete', detail: 'force-deletes a branch (unmerged commits become unreachable)' },
      { when: (a) => hasFlag(a, '-d') && (hasFlag(a, '-f') || hasFlag(a, '--force')), rev: 'irreversible', kind: 'delete', detail: 'force-deletes a branch' },
      { flags: ['-f', '--force', '-M', '-C'], rev: 'irreversible', kind: 'overwrite', detail: 'force-moves or overwrites a branch' },
      { flags: ['-d', '--delete'], rev: 'recoverable', kind: 'delete', detail: 'deletes a merged branch' },
      { when: (a) => positional(a).length === 0 || hasFlag(a, '-a') || hasFlag(a, '-r') || hasFlag(a, '-l') || hasFlag(a, '--list') || hasFlag(a, '-v'), ...READ },
    ],
    base: { rev: 'reversible', kind: 'write', detail: 'creates a branch' },
  },
  rebase: { rules: [{ flags: ['--abort'], ...RECOVERABLE }], base: RECOVERABLE },
  commit_amend: { rules: [], base: RECOVERABLE },
  'filter-branch': { rules: [], base: { rev: 'irreversible', kind: 'overwrite', detail: 'rewrites all history' } },
  'filter-repo': { rules: [], base: { rev: 'irreversible', kind: 'overwrite', detail: 'rewrites all history' } },
  gc: { rules: [{ when: (a) => a.some((x) => /^--prune(=now|=all)?$/.test(x) && x !== '--prune=never') || hasFlag(a, '--aggressive'), rev: 'irreversible', kind: 'delete', detail: 'prunes unreachable objects now (lost commits become unrecoverable)' }], base: { rev: 'reversible', kind: 'write', detail: 'packs objects' } },
  prune: { dry: ['-n', '--dry-run'], rules: [], base: { rev: 'irreversible', kind: 'delete', detail: 'deletes unreachable objects' } },
  push: {
    dry: ['-n', '--dry-run'],
    rules: [{ when: forcePush, rev: 'irreversible', kind: 'network', detail: 'force-pushes, deletes or mirrors remote refs (remote history is overwritten)' }],
    base: { rev: 'reversible', kind: 'network', detail: 'pushes new commits (fast-forward only: the remote keeps its old history)' },
  },
  rm: { dry: ['-n', '--dry-run'], rules: [{ flags: ['--cached'], rev: 'reversible', kind: 'write', detail: 'untracks files' }], base: { rev: 'irreversible', kind: 'delete', detail: 'deletes tracked files from the working tree' } },
  mv: { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'renames tracked files' } },
  apply: { rules: [{ flags: ['--check', '--stat', '--numstat', '--summary'], ...READ }], base: { rev: 'reversible', kind: 'write', detail: 'applies a patch' } },
  am: { rules: [], base: LOCAL },
  worktree: { rules: [{ sub: ['remove'], flags: ['-f', '--force'], rev: 'irreversible', kind: 'delete', detail: 'force-removes a worktree (uncommitted changes in it are lost)' }, { sub: ['remove', 'prune'], rev: 'recoverable', kind: 'write', detail: 'removes a clean worktree (git refuses if it has changes)' }, { sub: ['list'], ...READ }], base: { rev: 'reversible', kind: 'write', detail: 'adds a worktree' } },
  submodule: { rules: [{ sub: ['deinit'], rev: 'irreversible', kind: 'delete', detail: 'removes submodule working trees' }, { sub: ['status', 'summary'], ...READ }], base: { rev: 'reversible', kind: 'write', detail: 'updates submodules' } },
  'update-ref': { rules: [{ flags: ['-d'], rev: 'irreversible', kind: 'delete', detail: 'deletes a ref' }], base: RECOVERABLE },
  'symbolic-ref': { rules: [], base: RECOVERABLE },
  notes: { rules: [], base: LOCAL },
  bisect: { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'bisects' } },
  help: { rules: [], base: READ },
  version: { rules: [], base: READ },
  'cat-file': { rules: [], base: READ },
  'for-each-ref': { rules: [], base: READ },
  'rev-list': { rules: [], base: READ },
  'merge-base': { rules: [], base: READ },
  'check-ignore': { rules: [], base: READ },
  archive: { rules: [], base: READ },
  bundle: { rules: [], base: READ },
  'lfs': { rules: [{ sub: ['prune'], rev: 'irreversible', kind: 'delete', detail: 'prunes LFS objects' }], base: { rev: 'reversible', kind: 'write', detail: 'git lfs' } },
};

/** Verbs whose destructive forms lose only working-tree files (a checkpoint of the folder undoes them). */
const WORKTREE_VERBS = new Set(['checkout', 'restore', 'reset', 'clean', 'switch', 'rm', 'merge']);

export function runGit(args: ShWord[], ctx: Ctx): void {
  let i = 0;
  const texts = args.map((a) => a.text);
  while (i < texts.length && texts[i]!.startsWith('-')) {
    const a = texts[i]!;
    if (a === '--help' || a === '-h' || a === '--version' || a === '-v') {
      plain(ctx, 'git', 'read', 'read', `git ${a}`);
      return;
    }
    const opt = a.split('=', 1)[0]!;
    if ((opt === '-c' || a.startsWith('-c')) && /core\.(sshcommand|pager|editor|fsmonitor|hookspath|askpass|gitproxy)|alias\.|diff\.\w+\.textconv|filter\.|credential\.helper|protocol\.ext/i.test(a === '-c' ? texts[i + 1] ?? '' : a)) {
      execUnknown(ctx, 'git', `git -c ${a === '-c' ? texts[i + 1] : a.slice(2)} makes git run another program`);
    }
    i += GLOBAL_WITH_ARG.has(opt) && !a.includes('=') ? 2 : 1;
  }
  const verbRaw = texts[i];
  if (verbRaw === undefined) {
    plain(ctx, 'git', 'read', 'read', 'git without a command prints usage');
    return;
  }
  const verb = verbRaw.toLowerCase();
  const rest = texts.slice(i + 1).map((a) => (a.startsWith('--') ? a.toLowerCase() : a));
  if (rest.includes('--help') || rest.includes('-h')) {
    plain(ctx, 'git', 'read', 'read', `git ${verb} --help`);
    return;
  }
  const spec = GIT_VERBS[verb === 'commit' && rest.includes('--amend') ? 'commit_amend' : verb];
  const source = `git ${verb}`;
  if (!spec) {
    plain(ctx, source, 'process', 'recoverable', `git ${verb}: unknown git command or alias`);
    return;
  }
  if (spec.dry?.some((d) => hasFlag(rest, d))) {
    plain(ctx, source, 'read', 'read', `git ${verb} dry run`);
    return;
  }
  const sub = positional(rest)[0]?.toLowerCase();
  const rule =
    spec.rules.find((r) => {
      if (r.flags && !r.flags.some((f) => hasFlag(rest, f))) return false;
      if (r.sub && !(sub !== undefined && r.sub.includes(sub))) return false;
      if (r.dashdash && !rest.includes('--')) return false;
      if (r.when && !r.when(rest)) return false;
      return true;
    }) ?? spec.base;
  if (rule.kind === 'network') {
    network(ctx, source, rule.rev, `${source}: ${rule.detail}`);
    return;
  }
  if (rule.kind === 'read') {
    plain(ctx, source, 'read', 'read', `${source}: ${rule.detail}`, verb === 'ls-remote' ? { network: true } : {});
    return;
  }
  if (rule.kind === 'delete' || rule.kind === 'overwrite') {
    // The working tree is what is lost: attribute the effect to the repository folder.
    const before = ctx.effects.length;
    pathEffect(ctx, rule.kind, '.', source, `: ${rule.detail}`);
    const e = ctx.effects[before];
    if (e && e.reversibility !== 'unknown') {
      e.reversibility = e.outsideWorkspace ? (rule.rev === 'irreversible' ? 'irreversible' : rule.rev) : rule.rev;
      // A checkpoint holds working-tree files: it undoes discarded changes and deleted untracked
      // files, not dropped stashes, deleted branches or pruned objects (those live in .git), nor
      // ignored files (git clean -x/-X deletes them and a checkpoint leaves them out).
      if (rule.rev !== 'irreversible' || !WORKTREE_VERBS.has(verb) || (verb === 'clean' && (hasFlag(rest, '-x') || hasFlag(rest, '-X')))) delete e.snapshotable;
      e.detail = `${source}: ${rule.detail}${e.outsideWorkspace ? ' (outside the workspace)' : ''}`;
    }
    return;
  }
  plain(ctx, source, rule.kind, rule.rev, `${source}: ${rule.detail}`, verb === 'fetch' || verb === 'pull' || verb === 'clone' ? { network: true } : {});
}
