/**
 * git: a table of verbs and flags with their reversibility. Global options before the verb
 * (`-C dir`, `-c k=v`, `--no-pager`, `--git-dir=…`) are skipped; verbs and long flags are matched
 * case-insensitively (`git RESET --HARD` runs on case-insensitive file systems).
 */
import type { Reversibility } from '../../effects.js';
import { secretReason } from '../../paths.js';
import { execUnknown, network, pathEffect, plain, unknownEffect, type Ctx } from './shellContext.js';
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
/** push's bundled short options: only -o (push option) takes a value (`-uf` is -u -f). */
const pushLetters = (a: string): string => (/^-[a-zA-Z]/.test(a) && !a.startsWith('--') ? (/^-([a-np-zA-Z]*)/.exec(a)?.[1] ?? '') : '');
const forcePush = (args: string[]): boolean =>
  // --force-with-lease and --force-if-includes still replace the remote's history (the lease only
  // checks that nobody pushed meanwhile): irreversible like --force (T38).
  beforeDashDash(args).some((a) => /^--force/.test(a) || a === '--mirror' || a === '--delete' || a === '--prune' || /[fd]/.test(pushLetters(a))) ||
  positional(args).some((a) => a.startsWith('+') || a.startsWith(':'));

/** push's options that take a value as the next word (the value is not the repository). */
const PUSH_VALUE = new Set(['-o', '--push-option', '--repo', '--receive-pack', '--exec']);
/**
 * `git push <repository>` naming a URL or a path instead of a remote (`https://host/x.git`,
 * `git@host:x.git`, `ssh://…`, `/srv/x.git`, `../x`), or `--repo=<url>`: the commits go to a
 * destination this repository does not have configured. A remote name is what ordinary pushes use.
 */
const pushToUrl = (args: string[]): boolean => {
  const words = beforeDashDash(args);
  let repo: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const a = words[i]!;
    if (a.startsWith('--repo=')) {
      repo = a.slice(7);
      break;
    }
    if (a === '--repo') {
      repo = words[i + 1];
      break;
    }
    if (PUSH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    repo = a;
    break;
  }
  return repo !== undefined && (/:\/\//.test(repo) || /^[^/:]+:/.test(repo) || /^(\/|\.\.?\/|\.\.?$|~)/.test(repo));
};

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
    rules: [
      { when: forcePush, rev: 'irreversible', kind: 'network', detail: 'force-pushes, deletes or mirrors remote refs (remote history is overwritten)' },
      { when: pushToUrl, rev: 'irreversible', kind: 'network', detail: "pushes to a URL or path that is not one of this repository's remotes: the commits leave the machine for a destination nobody configured" },
    ],
    base: { rev: 'reversible', kind: 'network', detail: 'pushes new commits (fast-forward only: the remote keeps its old history)' },
  },
  rm: { dry: ['-n', '--dry-run'], rules: [{ flags: ['--cached'], rev: 'reversible', kind: 'write', detail: 'untracks files' }], base: { rev: 'irreversible', kind: 'delete', detail: 'deletes tracked files from the working tree' } },
  mv: { rules: [{ flags: ['-f', '--force'], rev: 'irreversible', kind: 'overwrite', detail: 'git mv -f renames over an existing file (what it held is lost unless committed)' }], base: { rev: 'reversible', kind: 'write', detail: 'renames tracked files' } },
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
  'range-diff': { rules: [], base: READ },
  whatchanged: { rules: [], base: READ },
  'count-objects': { rules: [], base: READ },
  fsck: { rules: [], base: READ },
  'verify-commit': { rules: [], base: READ },
  'verify-tag': { rules: [], base: READ },
  'verify-pack': { rules: [], base: READ },
  'name-rev': { rules: [], base: READ },
  'show-ref': { rules: [], base: READ },
  'show-branch': { rules: [], base: READ },
  'ls-tree': { rules: [], base: READ },
  var: { rules: [], base: READ },
  'check-attr': { rules: [], base: READ },
  'check-ref-format': { rules: [], base: READ },
  cherry: { rules: [], base: READ },
  'request-pull': { rules: [], base: READ },
  annotate: { rules: [], base: READ },
  'diff-tree': { rules: [], base: READ },
  'diff-index': { rules: [], base: READ },
  'diff-files': { rules: [], base: READ },
  'merge-tree': { rules: [], base: READ },
  'show-index': { rules: [], base: READ },
  column: { rules: [], base: READ },
  stripspace: { rules: [], base: READ },
  'interpret-trailers': { rules: [], base: READ },
  'hash-object': { rules: [], base: READ },
  'format-patch': { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'writes patch files' } },
  maintenance: { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'repository maintenance' } },
  'sparse-checkout': { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'changes which files are checked out' } },
  rerere: { rules: [{ sub: ['clear', 'forget', 'gc'], rev: 'recoverable', kind: 'write', detail: 'forgets recorded resolutions' }], base: READ },
  'update-index': { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'changes the index' } },
  'write-tree': { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'writes a tree object' } },
  'commit-tree': { rules: [], base: { rev: 'reversible', kind: 'write', detail: 'writes a commit object' } },
  'lfs': { rules: [{ sub: ['prune'], rev: 'irreversible', kind: 'delete', detail: 'prunes LFS objects' }], base: { rev: 'reversible', kind: 'write', detail: 'git lfs' } },
};

/**
 * Long options per verb, so abbreviations resolve the way git's parse-options does: a unique prefix
 * of a long option is that option (`--h` → `--hard`), an ambiguous one is an error git reports (we
 * say unknown). Only verbs whose flags decide reversibility are listed.
 */
const LONG_OPTS: Record<string, string[]> = {
  reset: ['--hard', '--soft', '--mixed', '--merge', '--keep', '--quiet', '--no-quiet', '--patch', '--intent-to-add', '--recurse-submodules', '--no-recurse-submodules', '--pathspec-from-file', '--pathspec-file-nul', '--no-refresh', '--refresh'],
  push: ['--force', '--force-with-lease', '--force-if-includes', '--no-force-with-lease', '--no-force-if-includes', '--delete', '--mirror', '--prune', '--no-prune', '--all', '--branches', '--tags', '--dry-run', '--porcelain', '--verbose', '--quiet', '--set-upstream', '--follow-tags', '--no-follow-tags', '--signed', '--no-signed', '--atomic', '--no-atomic', '--push-option', '--receive-pack', '--exec', '--repo', '--no-verify', '--verify', '--thin', '--no-thin', '--progress', '--no-progress', '--recurse-submodules', '--no-recurse-submodules', '--ipv4', '--ipv6'],
  clean: ['--force', '--dry-run', '--quiet', '--exclude', '--interactive'],
  checkout: ['--force', '--ours', '--theirs', '--patch', '--orphan', '--track', '--no-track', '--detach', '--merge', '--conflict', '--quiet', '--progress', '--no-progress', '--ignore-skip-worktree-bits', '--overwrite-ignore', '--no-overwrite-ignore', '--recurse-submodules', '--no-recurse-submodules', '--pathspec-from-file', '--pathspec-file-nul', '--guess', '--no-guess', '--ignore-other-worktrees', '--overlay', '--no-overlay'],
  switch: ['--discard-changes', '--force', '--create', '--force-create', '--detach', '--guess', '--no-guess', '--merge', '--conflict', '--quiet', '--orphan', '--track', '--no-track', '--progress', '--no-progress', '--recurse-submodules', '--no-recurse-submodules', '--ignore-other-worktrees'],
  restore: ['--source', '--staged', '--worktree', '--ours', '--theirs', '--merge', '--conflict', '--patch', '--quiet', '--progress', '--no-progress', '--overlay', '--no-overlay', '--ignore-unmerged', '--recurse-submodules', '--no-recurse-submodules', '--pathspec-from-file', '--pathspec-file-nul', '--ignore-skip-worktree-bits'],
  branch: ['--delete', '--force', '--move', '--copy', '--list', '--all', '--remotes', '--verbose', '--set-upstream-to', '--unset-upstream', '--track', '--no-track', '--contains', '--no-contains', '--merged', '--no-merged', '--show-current', '--edit-description', '--sort', '--points-at', '--format', '--color', '--no-color', '--column', '--no-column', '--create-reflog', '--quiet', '--abbrev', '--no-abbrev', '--ignore-case', '--omit-empty', '--recurse-submodules'],
  gc: ['--aggressive', '--no-aggressive', '--auto', '--no-auto', '--prune', '--no-prune', '--quiet', '--no-quiet', '--force', '--keep-largest-pack', '--cruft', '--no-cruft', '--max-cruft-size', '--detach', '--no-detach'],
  rm: ['--cached', '--force', '--dry-run', '--quiet', '--ignore-unmatch', '--sparse', '--pathspec-from-file', '--pathspec-file-nul', '--recursive'],
  stash: ['--keep-index', '--no-keep-index', '--include-untracked', '--all', '--patch', '--staged', '--quiet', '--message', '--pathspec-from-file', '--pathspec-file-nul', '--index'],
  tag: ['--delete', '--force', '--list', '--annotate', '--sign', '--no-sign', '--local-user', '--message', '--file', '--verify', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at', '--sort', '--format', '--color', '--column', '--no-column', '--create-reflog', '--ignore-case', '--omit-empty', '--cleanup', '--edit', '--trailer'],
  worktree: ['--force', '--detach', '--checkout', '--no-checkout', '--lock', '--reason', '--orphan', '--quiet', '--track', '--no-track', '--guess-remote', '--no-guess-remote', '--relative-paths', '--dry-run', '--verbose', '--expire', '--porcelain', '-z'],
  commit: ['--amend', '--all', '--patch', '--reuse-message', '--reedit-message', '--fixup', '--squash', '--reset-author', '--short', '--branch', '--porcelain', '--long', '--null', '--file', '--author', '--date', '--message', '--template', '--signoff', '--no-signoff', '--trailer', '--no-verify', '--verify', '--allow-empty', '--allow-empty-message', '--cleanup', '--edit', '--no-edit', '--include', '--only', '--pathspec-from-file', '--pathspec-file-nul', '--untracked-files', '--verbose', '--quiet', '--dry-run', '--status', '--no-status', '--gpg-sign', '--no-gpg-sign'],
  pull: ['--force', '--rebase', '--no-rebase', '--ff', '--no-ff', '--ff-only', '--squash', '--no-squash', '--commit', '--no-commit', '--edit', '--no-edit', '--autostash', '--no-autostash', '--all', '--append', '--depth', '--unshallow', '--tags', '--no-tags', '--prune', '--quiet', '--verbose', '--dry-run', '--recurse-submodules', '--no-recurse-submodules', '--strategy', '--strategy-option', '--verify', '--no-verify', '--stat', '--no-stat', '--signoff', '--set-upstream', '--progress', '--ipv4', '--ipv6', '--jobs'],
  reflog: ['--expire', '--expire-unreachable', '--rewrite', '--updateref', '--stale-fix', '--dry-run', '--verbose', '--all', '--single-worktree'],
};

/** Expand git long-option abbreviations of `verb`; ambiguous ones are reported. */
function expandAbbreviations(verb: string, rest: string[]): { rest: string[]; ambiguous?: string } {
  const opts = LONG_OPTS[verb];
  if (!opts) return { rest };
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--') {
      out.push(...rest.slice(i));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      out.push(a);
      continue;
    }
    const [name, ...val] = a.split('=');
    if (opts.includes(name!) || name === '--help') {
      out.push(a);
      continue;
    }
    const cands = opts.filter((o) => o.startsWith(name!));
    // `--no-x` abbreviations: git also accepts a prefix of a negated option.
    if (cands.length === 1) out.push(val.length ? `${cands[0]}=${val.join('=')}` : cands[0]!);
    else if (cands.length > 1) return { rest, ambiguous: `${name} (could be ${cands.slice(0, 4).join(', ')})` };
    else out.push(a);
  }
  return { rest: out };
}

/**
 * Configuration keys that make git run a program, trust other code, or weaken its own safety
 * checks: writing them is security configuration (and `-c` with one is exec of that program).
 */
const SECURITY_KEYS = /^(core\.(hookspath|fsmonitor|sshcommand|pager|editor|askpass|gitproxy|worktree|attributesfile|excludesfile)|sequence\.editor|diff\.external|diff\.[^.]+\.(textconv|command)|merge\.[^.]+\.driver|filter\.[^.]+\.(clean|smudge|process|required)|alias\..+|credential\..*|url\..+\.(insteadof|pushinsteadof)|[^.]+\.requireforce|gpg\.(program|\w+\.program)|remote\.[^.]+\.(uploadpack|receivepack|url|pushurl|proxy)|protocol\.[^.]*\.?allow|http\..*(sslverify|proxy|sslcainfo|extraheader)|include\.path|includeif\..+|safe\.directory|uploadpack\.packobjectshook|receive\.deny(currentbranch|deletes|nonfastforwards|deletecurrent)|receive\.fsckobjects|branch\.[^.]+\.(pushremote|remote)|remote\.pushdefault|init\.templatedir|core\.sharedrepository|transfer\.fsckobjects|fetch\.fsckobjects|pager\..+|instaweb\.\w+|sendemail\.\w*cmd|uploadarchive\.\w+|submodule\..+\.update)$/i;
/** Of those, the keys whose value is a program git runs. */
const EXEC_KEYS = /^(core\.(hookspath|fsmonitor|sshcommand|pager|editor|askpass|gitproxy)|sequence\.editor|diff\.external|diff\.[^.]+\.(textconv|command)|merge\.[^.]+\.driver|filter\.[^.]+\.(clean|smudge|process)|alias\..+|credential\.(.+\.)?helper|gpg\.(program|\w+\.program)|remote\.[^.]+\.(uploadpack|receivepack)|protocol\.ext\.allow|pager\..+|uploadpack\.packobjectshook|sendemail\.\w*cmd|submodule\..+\.update)$/i;

function gitConfig(rest: string[], ctx: Ctx, global: boolean): boolean {
  const pos = rest.filter((a) => !a.startsWith('-'));
  const reading = rest.some((x) => /^--(get|list|get-all|get-regexp|get-urlmatch|get-color|get-colorbool|show-origin|show-scope|name-only)$/.test(x) || x === '-l') || pos[0] === 'get' || pos[0] === 'list' || (pos.length <= 1 && !rest.some((x) => /^--(unset|unset-all|remove-section|rename-section|add|replace-all|edit)$/.test(x) || x === '-e'));
  if (reading) return false;
  const sub = /^(set|unset|rename-section|remove-section|edit)$/.test(pos[0] ?? '') ? pos.slice(1) : pos;
  const key = sub[0] ?? '';
  const value = sub.slice(1).join(' ');
  const editing = rest.includes('--edit') || rest.includes('-e') || pos[0] === 'edit';
  if (!editing && !SECURITY_KEYS.test(key) && !(key.toLowerCase().startsWith('alias.') && value.startsWith('!'))) return false;
  const scope = global || rest.includes('--global') || rest.includes('--system') ? ' (outside the workspace: every repository)' : '';
  const what = editing ? 'opens the git configuration in an editor' : `sets ${key}${value ? ` = ${value}` : ''}`;
  plain(ctx, 'git config', 'write', 'recoverable', `git config ${what}: security-sensitive git setting (runs programs or weakens a safety check)${scope}`, { securityConfig: true, ...(scope ? { outsideWorkspace: true } : {}), ...(EXEC_KEYS.test(key) || editing ? { exec: true } : {}) });
  return true;
}

/** `git show REV:.env`, `git cat-file -p HEAD:id_rsa`, `git log -p -- .env`: reads a secret from history. */
function gitSecretReads(verb: string, rest: string[], ctx: Ctx): void {
  if (!/^(show|cat-file|log|diff|blame|grep|archive|format-patch|whatchanged|annotate|checkout|restore)$/.test(verb)) return;
  for (const a of rest) {
    if (a.startsWith('-') && !a.includes(':')) continue;
    const path = a.includes(':') ? a.slice(a.indexOf(':') + 1) : a;
    if (!path) continue;
    const why = secretReason('/' + path.replace(/^\.?\//, ''));
    if (why) plain(ctx, `git ${verb}`, 'read', 'read', `git ${verb} reads ${path} from the repository (${why})`, { secrets: true });
  }
}

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
    if (opt === '-c' || (a.startsWith('-c') && !a.startsWith('--'))) {
      const kv = a === '-c' ? texts[i + 1] ?? '' : a.slice(2);
      const key = kv.split('=', 1)[0]!;
      if (EXEC_KEYS.test(key)) execUnknown(ctx, 'git', `git -c ${kv} makes git run another program`);
      else if (SECURITY_KEYS.test(key)) plain(ctx, 'git', 'write', 'recoverable', `git -c ${kv}: overrides a security-sensitive git setting for this command`, { securityConfig: true });
    }
    if (opt === '--config-env' || opt === '--exec-path') execUnknown(ctx, 'git', `git ${a} changes which programs git runs`);
    i += GLOBAL_WITH_ARG.has(opt) && !a.includes('=') ? 2 : 1;
  }
  const verbRaw = texts[i];
  if (verbRaw === undefined) {
    plain(ctx, 'git', 'read', 'read', 'git without a command prints usage');
    return;
  }
  const verb = verbRaw.toLowerCase();
  const lowered = texts.slice(i + 1).map((a) => (a.startsWith('--') ? a.toLowerCase() : a));
  const ab = expandAbbreviations(verb, lowered);
  if (ab.ambiguous) {
    unknownEffect(ctx, `git ${verb}`, `git ${verb} ${ab.ambiguous}: an ambiguous abbreviation git refuses or resolves in a way Airlock cannot tell`);
    return;
  }
  const rest = ab.rest;
  if (verb === 'config' && gitConfig(rest, ctx, false)) return;
  // `git submodule foreach [--recursive] [--quiet] <command>`: the command runs through the shell in
  // every submodule: judged as that command line, run from a folder the judge cannot resolve.
  if (verb === 'submodule' && positional(rest)[0] === 'foreach') {
    const words = texts.slice(i + 1);
    let k = words.indexOf('foreach') + 1;
    while (k < words.length && /^(--recursive|--quiet|-q)$/.test(words[k]!)) k++;
    const command = words.slice(k).join(' ');
    if (!command) plain(ctx, 'git submodule foreach', 'read', 'read', 'git submodule foreach without a command');
    // Each run is in a submodule's folder, whose state (dirty or not) is not this repository's: as
    // git itself does, the line starts in $sm_path, a folder the judge cannot resolve.
    else if (ctx.inside) ctx.inside.run(`cd "$sm_path" && ${command}`, ctx, 'git submodule foreach');
    else unknownEffect(ctx, 'git submodule foreach', `git submodule foreach runs ${command} in every submodule`);
    return;
  }
  if (verb === 'credential' || verb === 'credential-store' || verb === 'credential-cache') {
    plain(ctx, `git ${verb}`, 'read', 'read', `git ${verb} prints or stores credentials`, { secrets: true });
    return;
  }
  gitSecretReads(verb, texts.slice(i + 1), ctx);
  if (rest.includes('--help') || rest.includes('-h')) {
    plain(ctx, 'git', 'read', 'read', `git ${verb} --help`);
    return;
  }
  const spec = GIT_VERBS[verb === 'commit' && rest.includes('--amend') ? 'commit_amend' : verb];
  const source = `git ${verb}`;
  if (!spec) {
    unknownEffect(ctx, source, `git ${verb}: not a git command Airlock knows (an alias or an external git-${verb} program could do anything)`);
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
  if (verb === 'clone') {
    // `git clone -c KEY=V` / `--config` writes KEY into the new repository's config: a key that runs
    // a program (core.fsmonitor, core.hooksPath…) runs it at the next git command there; so do a
    // template's hooks and an upload-pack program.
    for (let k = 0; k < rest.length; k++) {
      const a = rest[k]!;
      const kv = a === '-c' || a === '--config' ? rest[k + 1] ?? '' : a.startsWith('--config=') ? a.slice(9) : /^-c./.test(a) ? a.slice(2) : undefined;
      if (kv !== undefined) {
        const key = kv.split('=', 1)[0]!;
        if (EXEC_KEYS.test(key)) execUnknown(ctx, source, `git clone -c ${kv} sets a program for the new repository to run`);
        else if (SECURITY_KEYS.test(key)) plain(ctx, source, 'write', 'recoverable', `git clone -c ${kv}: sets a security-sensitive setting in the new repository`, { securityConfig: true });
      } else if (/^(--template|-u|--upload-pack)(=|$)/.test(a)) execUnknown(ctx, source, `git clone ${a}: ${a.startsWith('--template') ? 'installs hooks from a template folder' : 'runs another program to fetch'}`);
    }
    // The clone lands in a new folder: code from elsewhere (running it later in the line is exec).
    const pos = positional(rest);
    const dest = pos[1] ?? (pos[0] ?? '').replace(/\/+$/, '').replace(/\.git$/, '').split(/[/:]/).pop();
    if (dest) pathEffect(ctx, 'create', dest, source, ' (clone)');
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
      e.detail = `${source} in ${e.target ?? ctx.cwd ?? 'an unknown directory'}: ${rule.detail}${e.outsideWorkspace ? ' (outside the workspace)' : ''}`;
    }
    return;
  }
  // `git remote add|set-url` writes remote.<name>.url (and pushurl), the setting `git config` already
  // treats as security-sensitive: it decides where every later push of that name sends the code.
  const remoteUrl = verb === 'remote' && (sub === 'add' || sub === 'set-url');
  plain(ctx, source, rule.kind, rule.rev, `${source}: ${rule.detail}${remoteUrl ? ' (where later pushes send the code: a security-sensitive setting)' : ''}`, verb === 'fetch' || verb === 'pull' || verb === 'clone' ? { network: true } : remoteUrl ? { securityConfig: true } : {});
}
