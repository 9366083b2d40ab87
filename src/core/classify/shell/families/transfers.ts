/**
 * Copies between this machine and remote storage, judged by direction (an effect model, not a
 * verb list):
 * - download (every source remote, the destination local): a remote read plus a local write,
 *   judged like `cp` (a new path is created; an existing file is overwritten; a sync into an
 *   existing folder may replace files in it; a mirror that deletes extra files deletes); inside
 *   the workspace that is a change the gate can checkpoint;
 * - upload or remote-to-remote copy, a move (the source is removed remotely), anything the family
 *   cannot parse: not handled here, the remote-CLI tables judge it (it asks: data sent off the
 *   machine or a remote change).
 * Object stores: `aws s3`, `gsutil`, `gcloud storage`, `mc` (MinIO), `azcopy`, `rclone`, `s3cmd`.
 * Backups: `restic` and `borg` read-only commands, and restores into a named local folder.
 * Repositories: `gh repo clone` / `glab repo clone` are a `git clone` (judged by the git rules).
 */
import { absolutize, inspectPath } from '../../../paths.js';
import { network, pathEffect, plain, type Ctx } from '../shellContext.js';
import { runGit } from '../shellGit.js';
import type { ShWord } from '../shellWords.js';
import { word } from './common.js';
import type { Family } from './types.js';

type Kind = 'file' | 'dir' | undefined;
const known = (w: ShWord): boolean => !w.unknownVars.length && !w.subst;
const kindOf = (ctx: Ctx, w: ShWord): Kind => {
  const k = ctx.env.fs.kind(absolutize(w.text.replace(/(.)\/+$/, '$1'), ctx.env));
  return k === 'file' || k === 'dir' ? k : undefined;
};

/**
 * Split an argv tail into option words and positionals. `--x=v` and the flags in `bools` stand
 * alone; any other option takes the next word as its value. An option the table does not know is
 * therefore read as taking a value, which can only hide a positional: the family then sees fewer
 * operands than a transfer needs and leaves the command to the tables (which ask).
 */
function operands(args: ShWord[], bools: ReadonlySet<string>, valued: ReadonlySet<string> = new Set()): { pos: ShWord[]; flags: string[] } {
  const pos: ShWord[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (a === '--') {
      pos.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      flags.push(a);
      if (a.includes('=')) continue;
      if (bools.has(a) && !valued.has(a)) continue;
      // Bundled short booleans (`-rn`) when every letter is a known short boolean.
      if (/^-[a-zA-Z]{2,}$/.test(a) && [...a.slice(1)].every((l) => bools.has(`-${l}`))) {
        for (const l of a.slice(1)) flags.push(`-${l}`);
        continue;
      }
      i++;
      continue;
    }
    pos.push(args[i]!);
  }
  return { pos, flags };
}

interface Transfer {
  tool: string;
  /** The copy replaces files in the destination folder that are not in the source (`sync --delete`, `rclone sync`). */
  mirrorDelete: boolean;
  /** The destination receives a whole tree (sync, recursive copy of a prefix). */
  tree: boolean;
  /** Existing files are kept (`--no-clobber`, `--ignore-existing`, `--overwrite=false`). */
  noClobber: boolean;
}

/**
 * A download: every source remote, the destination local (or `-`, standard output). Returns false
 * (not handled) for anything else.
 */
function download(ctx: Ctx, pos: ShWord[], remote: (w: ShWord) => boolean, t: Transfer): boolean {
  if (pos.length < 2 || !pos.every(known)) return false;
  const dest = pos[pos.length - 1]!;
  const srcs = pos.slice(0, -1);
  if (!srcs.every(remote) || (dest.text !== '-' && remote(dest))) return false;
  for (const s of srcs) network(ctx, t.tool, 'read', `${t.tool} downloads ${s.text}`, s.text);
  if (dest.text === '-') return true;
  const k = kindOf(ctx, dest);
  const note = ` (download from ${srcs.map((s) => s.text).join(', ')})`;
  if (t.tree) {
    // A tree lands in the folder: files already there with the same names are replaced.
    if (k === undefined) pathEffect(ctx, 'create', dest, t.tool, note);
    else if (t.mirrorDelete) pathEffect(ctx, 'delete', dest, t.tool, `${note}: files not in the source are deleted, the others replaced`);
    else if (t.noClobber) pathEffect(ctx, 'write', dest, t.tool, `${note}: only files that are missing are added`);
    else pathEffect(ctx, 'overwrite', dest, t.tool, `${note}: files already there with the same names are replaced`);
    return true;
  }
  // One object per source: into a folder (existing, or named with a trailing slash, or several
  // sources) under its own name, otherwise onto the destination path itself (as cp).
  const intoDir = k === 'dir' || /.\/$/.test(dest.text) || srcs.length > 1;
  for (const s of srcs) {
    const base = s.text.replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
    const target = intoDir ? { ...dest, text: `${dest.text.replace(/\/+$/, '')}/${base}` } : dest;
    const tk = intoDir ? kindOf(ctx, target) : k;
    if (tk === 'file' && t.noClobber) continue;
    pathEffect(ctx, tk === 'file' ? 'overwrite' : 'create', target, t.tool, note);
  }
  return true;
}

const hasFlag = (flags: string[], ...names: string[]): boolean => flags.some((f) => names.includes(f) || names.some((n) => n.startsWith('--') && f.startsWith(`${n}=`)));
const flagValue = (flags: string[], name: string): string | undefined => flags.find((f) => f.startsWith(`${name}=`))?.slice(name.length + 1);

const AWS_BOOLS = new Set(['--recursive', '--dryrun', '--quiet', '--delete', '--no-progress', '--only-show-errors', '--follow-symlinks', '--no-follow-symlinks', '--exact-timestamps', '--size-only', '--no-guess-mime-type', '--force-glacier-transfer', '--ignore-glacier-warnings', '--no-sign-request', '--debug', '--no-verify-ssl', '--no-paginate', '--no-cli-pager', '--no-overwrite']);
function aws(c: Parameters<Family>[0]): boolean {
  const { pos, flags } = operands(c.args, AWS_BOOLS);
  if (pos[0]?.text !== 's3' || hasFlag(flags, '--dryrun')) return false;
  const verb = pos[1]?.text;
  if (verb !== 'cp' && verb !== 'sync') return false;
  const s3 = (w: ShWord): boolean => /^s3:\/\//i.test(w.text);
  return download(c.ctx, pos.slice(2), s3, { tool: `aws s3 ${verb}`, tree: verb === 'sync' || hasFlag(flags, '--recursive'), mirrorDelete: verb === 'sync' && hasFlag(flags, '--delete'), noClobber: hasFlag(flags, '--no-overwrite') });
}

const gcsRemote = (w: ShWord): boolean => /^(gs|s3):\/\//i.test(w.text);
const GSUTIL_GLOBAL_VALUED = new Set(['-h', '-i', '-o', '-u']);
function gsutil(c: Parameters<Family>[0]): boolean {
  const t = c.args.map((a) => a.text);
  let i = 0;
  while (i < t.length && t[i]!.startsWith('-')) i += GSUTIL_GLOBAL_VALUED.has(t[i]!) ? 2 : 1;
  const verb = t[i];
  const rest = c.args.slice(i + 1);
  if (verb === 'cp') {
    const { pos, flags } = operands(rest, new Set(['-r', '-R', '-n', '-c', '-e', '-P', '-p', '-v', '-U', '-Z', '-I', '-A', '-D', '-J', '--no-clobber']));
    if (hasFlag(flags, '-I')) return false; // sources read from stdin
    return download(c.ctx, pos, gcsRemote, { tool: 'gsutil cp', tree: hasFlag(flags, '-r', '-R'), mirrorDelete: false, noClobber: hasFlag(flags, '-n', '--no-clobber') });
  }
  if (verb === 'rsync') {
    const { pos, flags } = operands(rest, new Set(['-r', '-R', '-d', '-n', '-c', '-C', '-e', '-J', '-P', '-p', '-u', '-U', '-i']));
    if (hasFlag(flags, '-n')) return false; // dry run: the tables call it a read
    return download(c.ctx, pos, gcsRemote, { tool: 'gsutil rsync', tree: true, mirrorDelete: hasFlag(flags, '-d'), noClobber: hasFlag(flags, '-i') });
  }
  return false;
}

const GCLOUD_BOOLS = new Set(['--recursive', '-r', '-R', '--no-clobber', '-n', '--delete-unmatched-destination-objects', '--continue-on-error', '-c', '--quiet', '-q', '--preserve-posix', '-P', '--skip-unsupported', '-U', '--ignore-symlinks', '--do-not-decompress', '--print-created-message', '--skip-if-dest-has-newer-mtime', '-u', '--checksums-only', '--no-ignore-symlinks', '--all-versions', '-A', '--exclude-symlinks', '-e']);
function gcloud(c: Parameters<Family>[0]): boolean {
  const { pos, flags } = operands(c.args, GCLOUD_BOOLS);
  if (pos[0]?.text !== 'storage') return false;
  const verb = pos[1]?.text;
  if (hasFlag(flags, '--dry-run')) return false;
  if (verb === 'cp') return download(c.ctx, pos.slice(2), gcsRemote, { tool: 'gcloud storage cp', tree: hasFlag(flags, '--recursive', '-r', '-R'), mirrorDelete: false, noClobber: hasFlag(flags, '--no-clobber', '-n') });
  if (verb === 'rsync') return download(c.ctx, pos.slice(2), gcsRemote, { tool: 'gcloud storage rsync', tree: true, mirrorDelete: hasFlag(flags, '--delete-unmatched-destination-objects'), noClobber: hasFlag(flags, '--no-clobber', '-n') });
  return false;
}

/**
 * MinIO client paths: `ALIAS/bucket/object` is remote; a path that starts with `/`, `.` or `~`, a
 * word without a slash, or one whose first segment exists here is local (mc decides the same way
 * from its configured aliases; an unknown alias only makes the copy fail).
 */
function mcRemote(ctx: Ctx): (w: ShWord) => boolean {
  return (w) => {
    if (/^[/.~]/.test(w.text) || !w.text.includes('/')) return false;
    return kindOf(ctx, word(w.text.split('/')[0]!)) === undefined;
  };
}
const MC_BOOLS = new Set(['-r', '--recursive', '-q', '--quiet', '--json', '--insecure', '--debug', '--no-color', '-a', '--preserve', '--disable-multipart', '--md5', '--overwrite', '--remove', '--fake', '--watch', '-w', '--active-active', '--dry-run', '--newer-than', '--older-than']);
const MC_VALUED = new Set(['--newer-than', '--older-than']);
function mc(c: Parameters<Family>[0]): boolean {
  const { pos, flags } = operands(c.args, MC_BOOLS, MC_VALUED);
  const verb = pos[0]?.text;
  if (hasFlag(flags, '--dry-run', '--fake', '--watch', '-w')) return false;
  if (verb === 'cp') return download(c.ctx, pos.slice(1), mcRemote(c.ctx), { tool: 'mc cp', tree: hasFlag(flags, '-r', '--recursive'), mirrorDelete: false, noClobber: false });
  if (verb === 'mirror') return download(c.ctx, pos.slice(1), mcRemote(c.ctx), { tool: 'mc mirror', tree: true, mirrorDelete: hasFlag(flags, '--remove'), noClobber: !hasFlag(flags, '--overwrite') });
  return false;
}

const AZCOPY_BOOLS = new Set(['--recursive', '--as-subdir', '--force-if-read-only', '--put-md5', '--check-length', '--s2s-preserve-properties', '--follow-symlinks', '--preserve-symlinks', '--preserve-smb-info', '--preserve-permissions', '--dry-run']);
function azcopy(c: Parameters<Family>[0]): boolean {
  const { pos, flags } = operands(c.args, AZCOPY_BOOLS);
  const verb = pos[0]?.text;
  if (hasFlag(flags, '--dry-run')) return false;
  const url = (w: ShWord): boolean => /^https?:\/\//i.test(w.text);
  const overwrite = flagValue(flags, '--overwrite');
  if (verb === 'copy' || verb === 'cp') return download(c.ctx, pos.slice(1), url, { tool: `azcopy ${verb}`, tree: hasFlag(flags, '--recursive'), mirrorDelete: false, noClobber: overwrite === 'false' });
  if (verb === 'sync') {
    const del = flagValue(flags, '--delete-destination');
    return download(c.ctx, pos.slice(1), url, { tool: 'azcopy sync', tree: true, mirrorDelete: del !== undefined && del !== 'false', noClobber: false });
  }
  return false;
}

/** rclone: `remote:path` (or an on-the-fly `:backend:path`) is remote; a Windows drive letter is not. */
const rcloneRemote = (w: ShWord): boolean => /^:?[\w][\w .-]*:/.test(w.text) && !/^[A-Za-z]:[\\/]/.test(w.text);
const RCLONE_BOOLS = new Set(['-v', '-vv', '-q', '--quiet', '-P', '--progress', '-c', '--checksum', '-u', '--update', '--ignore-existing', '--no-traverse', '--fast-list', '--create-empty-src-dirs', '--size-only', '-I', '--ignore-times', '--immutable', '--stats-one-line', '--no-update-modtime', '-L', '--copy-links', '-l', '--links', '-M', '--metadata', '--delete-excluded', '--dry-run', '-n', '-i', '--interactive', '--ignore-size', '--ignore-checksum', '--no-check-dest', '--no-gzip-encoding', '--use-server-modtime', '--human-readable']);
function rclone(c: Parameters<Family>[0]): boolean {
  const { pos, flags } = operands(c.args, RCLONE_BOOLS);
  const verb = pos[0]?.text;
  if (hasFlag(flags, '--dry-run', '-n')) return false;
  // A backup folder keeps what would be replaced or deleted, but it can itself be anywhere: leave it to the tables.
  if (flags.some((f) => f.startsWith('--backup-dir') || f.startsWith('--compare-dest') || f.startsWith('--copy-dest'))) return false;
  const noClobber = hasFlag(flags, '--ignore-existing');
  if (verb === 'copy' || verb === 'sync') return download(c.ctx, pos.slice(1), rcloneRemote, { tool: `rclone ${verb}`, tree: true, mirrorDelete: verb === 'sync', noClobber });
  if (verb === 'copyto') return download(c.ctx, pos.slice(1), rcloneRemote, { tool: 'rclone copyto', tree: false, mirrorDelete: false, noClobber });
  return false;
}

function s3cmd(c: Parameters<Family>[0]): boolean {
  const { pos, flags } = operands(c.args, new Set(['-r', '--recursive', '-f', '--force', '--skip-existing', '--delete-removed', '--dry-run', '-n', '--continue', '--no-progress', '--progress', '-v', '--verbose', '-q', '--quiet', '--no-preserve', '-p', '--preserve']));
  const verb = pos[0]?.text;
  if (hasFlag(flags, '--dry-run', '-n')) return false;
  const s3 = (w: ShWord): boolean => /^s3:\/\//i.test(w.text);
  const rest = pos.slice(1);
  // `s3cmd get s3://b/k` with no destination writes the object into the current folder.
  if (verb === 'get') return download(c.ctx, rest.length === 1 ? [...rest, word('./')] : rest, s3, { tool: 's3cmd get', tree: hasFlag(flags, '-r', '--recursive'), mirrorDelete: false, noClobber: hasFlag(flags, '--skip-existing') });
  if (verb === 'sync') return download(c.ctx, rest, s3, { tool: 's3cmd sync', tree: true, mirrorDelete: hasFlag(flags, '--delete-removed'), noClobber: hasFlag(flags, '--skip-existing') });
  return false;
}

/**
 * restic: commands that only read the repository; `restore --target DIR` writes DIR like an
 * extraction (a new folder is created; an existing one has files replaced; `--delete` also
 * deletes). Everything else (backup, forget, prune, init, key, tag, mount, cat, dump…) is left
 * to the tables.
 */
const RESTIC_VALUED = new Set(['-r', '--repo', '--repository-file', '-p', '--password-file', '--password-command', '--cache-dir', '--key-hint', '-o', '--option', '--limit-upload', '--limit-download', '--tls-client-cert', '--cacert', '--pack-size', '--compression', '--mode', '--host', '-H', '--path', '--tag', '--target', '-t', '--include', '-i', '--exclude', '-e', '--iinclude', '--iexclude', '--include-file', '--exclude-file', '--read-data-subset', '--max-unused', '--retry-lock', '--stuck-request-timeout', '--snapshot-id', '-s', '--pack', '--blob', '--tree', '--newest', '-N', '--oldest', '-O', '--sort', '--archive', '--overwrite']);
// Not `cat` (`restic cat masterkey` prints the repository key) nor `dump` (prints a backed-up file, perhaps a secret).
const RESTIC_READ = new Set(['snapshots', 'stats', 'ls', 'check', 'diff', 'find', 'list', 'version', 'help', 'cache']);
function restic(c: Parameters<Family>[0]): boolean {
  const t = c.args.map((a) => a.text);
  let verb: string | undefined;
  let vi = -1;
  for (let i = 0; i < t.length; i++) {
    if (t[i]!.startsWith('-')) {
      if (RESTIC_VALUED.has(t[i]!)) i++;
      continue;
    }
    verb = t[i];
    vi = i;
    break;
  }
  if (verb === undefined) return false;
  const rest = t.slice(vi + 1);
  if (RESTIC_READ.has(verb) && !(verb === 'cache' && rest.includes('--cleanup'))) {
    plain(c.ctx, `restic ${verb}`, 'read', 'read', `restic ${verb}: reads the backup repository`, { network: true });
    return true;
  }
  // The repository's master key, or a backed-up file whose path names a secret: a secret read.
  if (verb === 'cat' && rest.filter((a) => !a.startsWith('-'))[0] === 'masterkey') {
    plain(c.ctx, 'restic cat', 'read', 'read', 'restic cat masterkey prints the repository\'s master key', { secrets: true });
    return true;
  }
  if (verb === 'dump') {
    const secret = rest.filter((a) => !a.startsWith('-')).slice(1).map((p) => inspectPath(p, c.ctx.env).secrets).find(Boolean);
    if (secret) {
      plain(c.ctx, 'restic dump', 'read', 'read', `restic dump prints a backed-up file (${secret})`, { secrets: true });
      return true;
    }
    return false;
  }
  if (verb === 'restore') {
    if (rest.some((a) => a === '--dry-run')) return false;
    const ti = rest.findIndex((a) => a === '-t' || a === '--target' || a.startsWith('--target='));
    if (ti < 0) return false;
    const at = c.args[vi + 1 + ti]!;
    const tw = at.text.startsWith('--target=') ? { ...at, text: at.text.slice('--target='.length) } : c.args[vi + 2 + ti];
    if (!tw || tw.text === '') return false;
    plain(c.ctx, 'restic restore', 'read', 'read', 'restic restore: reads a snapshot from the backup repository', { network: true });
    const k = known(tw) ? kindOf(c.ctx, tw) : 'dir';
    const overwrite = rest.find((a, i) => a.startsWith('--overwrite=') || rest[i - 1] === '--overwrite');
    const never = overwrite !== undefined && /never$/.test(overwrite);
    if (rest.includes('--delete')) pathEffect(c.ctx, 'delete', tw, 'restic restore', ' (restore --delete: files not in the snapshot are deleted, the others replaced)');
    else if (k === undefined) pathEffect(c.ctx, 'create', tw, 'restic restore', ' (restores a snapshot into a new folder)');
    else if (never) pathEffect(c.ctx, 'write', tw, 'restic restore', ' (restores missing files only: --overwrite never)');
    else pathEffect(c.ctx, 'overwrite', tw, 'restic restore', ' (restores a snapshot into it: files already there with the same paths are replaced)');
    return true;
  }
  return false;
}

/**
 * borg: `list`, `info`, `diff`, `check` (without --repair) only read; `extract` writes the
 * archive's files into the current folder, replacing files with the same paths (`--dry-run`,
 * `--stdout`: read). Everything else is left to the tables.
 */
const BORG_VALUED = new Set(['--lock-wait', '--umask', '--remote-path', '--rsh', '--upload-ratelimit', '--upload-buffer', '--debug-profile', '--debug-topic']);
function borg(c: Parameters<Family>[0]): boolean {
  const t = c.args.map((a) => a.text);
  let i = 0;
  while (i < t.length && t[i]!.startsWith('-')) i += BORG_VALUED.has(t[i]!) ? 2 : 1;
  const verb = t[i];
  const rest = t.slice(i + 1);
  if (verb === undefined) return false;
  if (verb === 'check' && rest.includes('--repair')) {
    network(c.ctx, 'borg check', 'irreversible', 'borg check --repair rewrites the backup repository and drops data it cannot read (no undo)');
    return true;
  }
  if (verb === 'key' && rest[0] === 'export') {
    plain(c.ctx, 'borg key', 'read', 'read', 'borg key export writes out the repository key', { secrets: true });
    return false;
  }
  if (['list', 'info', 'diff', 'check'].includes(verb)) {
    plain(c.ctx, `borg ${verb}`, 'read', 'read', `borg ${verb}: reads the backup repository`, { network: true });
    return true;
  }
  if (verb === 'create') {
    // A repository on this machine (a path, not `ssh://…` or `host:path`) receives a new archive:
    // a local write, and the sources are read. A remote repository is data sent off the machine.
    const pos = c.args.slice(i + 1).filter((a) => !a.text.startsWith('-'));
    const loc = pos[0];
    if (rest.some((a) => /^-/.test(a) && !/^(--stats|-s|--list|--progress|-p|--verbose|-v|--info|--json|--one-file-system|-x|--numeric-ids|--exclude-caches|--dry-run|-n)$/.test(a))) return false;
    if (!loc || !known(loc) || !loc.text.includes('::') || pos.length < 2 || !pos.every(known)) return false;
    const repo = loc.text.slice(0, loc.text.indexOf('::'));
    if (repo === '' || /^[a-z][\w+.-]*:\/\//i.test(repo) || /^[^/]*:/.test(repo)) return false;
    for (const src of pos.slice(1)) pathEffect(c.ctx, 'read', src, 'borg create', ' (backed up)');
    if (rest.includes('--dry-run') || rest.includes('-n')) return true;
    pathEffect(c.ctx, 'write', { ...loc, text: repo }, 'borg create', ' (adds an archive to the backup repository on this machine)');
    return true;
  }
  if (verb === 'extract') {
    plain(c.ctx, 'borg extract', 'read', 'read', 'borg extract: reads an archive from the backup repository', { network: true });
    if (rest.some((a) => a === '--dry-run' || a === '-n' || a === '--stdout')) return true;
    pathEffect(c.ctx, 'overwrite', '.', 'borg extract', ' (extracts the archive here: files already there with the same paths are replaced)');
    return true;
  }
  return false;
}

const SAFE_CLONE = /^(--depth(=\d+)?|-b|--branch(=[\w./-]+)?|--origin(=[\w.-]+)?|-o|--single-branch|--no-single-branch|--no-tags|--filter(=[\w:=+.-]+)?|--shallow-since(=[\w:.-]+)?|--shallow-submodules|--recurse-submodules|--quiet|-q|--progress|--no-checkout|-n|--sparse|--bare|--mirror)$/;

/** `gh repo clone OWNER/REPO [DIR] [-- GITFLAGS]`, `glab repo clone GROUP/REPO [DIR] [-- GITFLAGS]`: a git clone. */
function repoClone(c: Parameters<Family>[0]): boolean {
  const t = c.args.map((a) => a.text);
  if (t[0] !== 'repo' || t[1] !== 'clone') return false;
  const dd = t.indexOf('--');
  const own = c.args.slice(2, dd >= 0 ? dd : undefined);
  const gitFlags = dd >= 0 ? c.args.slice(dd + 1) : [];
  // Git options passed through: only those that shape what is fetched (`-c`, `--template`,
  // `--config`, `--separate-git-dir`, `--upload-pack` change what later runs: the tables ask).
  if (!gitFlags.every((f, i) => SAFE_CLONE.test(f.text) || (/^(--depth|-b|--branch|--origin|-o|--filter|--shallow-since)$/.test(gitFlags[i - 1]?.text ?? '') && !f.text.startsWith('-')))) return false;
  // `-u/--upstream-remote-name NAME` takes a value; any other option of the clone (glab -g GROUP clones many) is left to the tables.
  const pos: ShWord[] = [];
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!.text;
    if (a === '-u' || a === '--upstream-remote-name') i++;
    else if (a.startsWith('--upstream-remote-name=')) continue;
    else if (a.startsWith('-')) return false;
    else pos.push(own[i]!);
  }
  if (pos.length < 1 || pos.length > 2 || !pos.every(known)) return false;
  const repo = pos[0]!.text;
  const host = c.name === 'gh' ? 'github.com' : 'gitlab.com';
  const url = /^(https?:\/\/|git@|ssh:\/\/)/.test(repo) ? repo : `https://${host}/${repo}`;
  const dir = pos[1] ?? word(repo.replace(/\/+$/, '').replace(/\.git$/, '').split(/[/:]/).pop() ?? '');
  runGit([word('clone'), ...gitFlags, word(url), dir], c.ctx);
  return true;
}

/** Kafka tools that only describe the cluster. */
const KAFKA_READ = new Set(['kafka-broker-api-versions', 'kafka-get-offsets']);

export const transfers: Family = (c) => {
  if (c.args.some((a) => a.literal && (a.text === '--help' || a.text === '-h'))) return false;
  switch (c.name) {
    case 'aws':
      return aws(c);
    case 'gsutil':
      return gsutil(c);
    case 'gcloud':
      return gcloud(c);
    case 'mc':
      return mc(c);
    case 'azcopy':
      return azcopy(c);
    case 'rclone':
      return rclone(c);
    case 's3cmd':
      return s3cmd(c);
    case 'restic':
      return restic(c);
    case 'borg':
      return borg(c);
    case 'gh':
    case 'glab':
      return repoClone(c);
    default:
      if (KAFKA_READ.has(c.name)) {
        plain(c.ctx, c.name, 'read', 'read', `${c.name}: describes the cluster (reads)`, { network: true });
        return true;
      }
      return false;
  }
};
