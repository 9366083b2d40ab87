/**
 * Families of programs with one rule each (a table, not a string match):
 * - network plumbing: netcat/ncat/socat/openssl/telnet — executing a program for the other side
 *   (`-e`, `--exec`, `EXEC:`), listening for connections (`-l`, `*-LISTEN`), or sending data;
 * - raw storage: file systems, partition tables, LVM, RAID and encryption headers;
 * - credential stores: keychains, password managers, CLIs that print their tokens;
 * - terminal multiplexers and session recorders that run a command (tmux, screen, script, entr);
 * - archivers and patch (they write files where they run).
 * Each handler returns false when the program is not its business.
 */
import { absolutize } from '../../paths.js';
import { execUnknown, lit, network, pathEffect, plain, unknownEffect, type Ctx } from './shellContext.js';
import type { ArgvRunner, ScriptRunner } from './shellTypes.js';
import type { ShWord } from './shellWords.js';
import { positionals } from './families/common.js';

const shortHas = (t: string[], letter: string, longs: string[] = []): boolean =>
  t.some((a) => longs.includes(a.split('=')[0]!) || (/^-[a-zA-Z0-9]+$/.test(a) && a.includes(letter)));

// ---------------------------------------------------------------- network plumbing

const NETCATS = new Set(['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd', 'pwncat', 'pwncat-cs']);

function runNetcat(name: string, t: string[], ctx: Ctx, runScript: ScriptRunner): void {
  if (t.length === 1 && /^(-h|--help|--version|-V)$/.test(t[0]!)) return plain(ctx, name, 'read', 'read', `${name} ${t[0]}`);
  const execIdx = t.findIndex((a) => /^(-e|-c|--exec|--sh-exec|--lua-exec)$/.test(a.split('=')[0]!) || /^-[a-zA-Z]*[ec]$/.test(a));
  const listen = shortHas(t, 'l', ['--listen']);
  if (execIdx >= 0) {
    const a = t[execIdx]!;
    const prog = a.includes('=') ? a.slice(a.indexOf('=') + 1) : t[execIdx + 1] ?? '';
    execUnknown(ctx, name, `${name} ${listen ? 'listens and ' : ''}runs ${prog || 'a program'} for whoever connects (a ${listen ? 'bind' : 'reverse'} shell: the other side controls this machine)`, 'irreversible');
    if (/(^|\/)(ba|z|da|k)?sh$/.test(prog) || !prog) return;
    runScript(prog, ctx, `${name} -e`);
    return;
  }
  if (listen) {
    network(ctx, name, 'irreversible', `${name} opens a listener: anyone who can reach this port can send data in (and read what is sent)`);
    return;
  }
  if (shortHas(t, 'z', ['--zero'])) return plain(ctx, name, 'read', 'read', `${name} -z checks whether a port is open`, { network: true });
  network(ctx, name, 'irreversible', `${name} connects and sends whatever it reads to ${t.filter((a) => !a.startsWith('-')).join(' ')} (it has left the machine)`);
}

function runSocat(t: string[], ctx: Ctx, runScript: ScriptRunner): void {
  const addrs = t.filter((a) => !a.startsWith('-') || a === '-');
  if (addrs.length === 0) return plain(ctx, 'socat', 'read', 'read', 'socat help');
  let acted = false;
  for (const a of addrs) {
    const m = /^(EXEC|SYSTEM):(.*)$/i.exec(a);
    if (m) {
      acted = true;
      const prog = m[2]!.split(',')[0]!.replace(/^["']|["']$/g, '');
      execUnknown(ctx, 'socat', `socat ${m[1]!.toUpperCase()}:${prog} connects a program to the other side (a shell over the network)`);
      runScript(prog, ctx, `socat ${m[1]}`);
    } else if (/^(TCP\d?-LISTEN|TCP-L|UDP\d?-LISTEN|UDP-L|OPENSSL-LISTEN|SSL-L|UNIX-LISTEN|SCTP-LISTEN|VSOCK-LISTEN):/i.test(a)) {
      acted = true;
      network(ctx, 'socat', 'irreversible', `socat ${a.split(',')[0]}: opens a listener for other machines`);
    }
  }
  if (!acted) network(ctx, 'socat', 'irreversible', `socat ${addrs.join(' ')}: relays data to a socket or host (sends commands or data Airlock cannot follow)`);
}

function runOpenssl(t: string[], ctx: Ctx): void {
  const verb = t[0]?.toLowerCase() ?? '';
  if (verb === 's_server') return network(ctx, 'openssl', 'irreversible', 'openssl s_server opens a TLS listener');
  if (verb === 's_client') return network(ctx, 'openssl', 'irreversible', `openssl s_client connects and sends what it reads (${t.slice(1).join(' ')})`);
  const out = t.findIndex((a) => a === '-out' || a === '-keyout');
  for (let i = 0; i < t.length; i++) if ((t[i] === '-out' || t[i] === '-keyout') && t[i + 1]) pathEffect(ctx, 'create', t[i + 1]!, 'openssl');
  const inIdx = t.findIndex((a) => a === '-in');
  if (inIdx >= 0 && t[inIdx + 1]) readSecretAware(ctx, lit(t[inIdx + 1]!), 'openssl');
  if (out < 0) plain(ctx, 'openssl', 'read', 'read', `openssl ${verb}`);
}

// ---------------------------------------------------------------- raw storage

interface Storage {
  /** Arguments that only read (list, print, dump). */
  readIf?: (t: string[]) => boolean;
  what: string;
}
const STORAGE: Record<string, Storage> = {
  mkfs: { what: 'creates a file system (erases the device)', readIf: (t) => t.some((a) => a === '-V' || a === '--version' || a === '-n') },
  mke2fs: { what: 'creates a file system (erases the device)', readIf: (t) => t.includes('-n') },
  mkswap: { what: 'writes a swap signature (erases the device)' },
  mkdosfs: { what: 'creates a file system (erases the device)' },
  wipefs: { what: 'erases file-system signatures', readIf: (t) => !shortHas(t, 'a', ['--all', '--offset']) && !t.some((a) => a === '-o') || shortHas(t, 'n', ['--no-act']) },
  parted: { what: 'changes partition tables', readIf: (t) => shortHas(t, 'l', ['--list']) || (t.filter((a) => !a.startsWith('-')).slice(1).every((a) => /^(print|p|unit|help)$/i.test(a)) && t.filter((a) => !a.startsWith('-')).length >= 2) },
  sfdisk: { what: 'writes partition tables', readIf: (t) => shortHas(t, 'l', ['--list', '--dump', '--show-size', '--verify', '--json', '--list-free', '--show-geometry']) || shortHas(t, 'd') || shortHas(t, 'J') || shortHas(t, 's') || shortHas(t, 'V') },
  fdisk: { what: 'changes partition tables', readIf: (t) => shortHas(t, 'l', ['--list']) || shortHas(t, 'V') },
  gdisk: { what: 'changes GPT partition tables', readIf: (t) => shortHas(t, 'l') },
  sgdisk: { what: 'changes GPT partition tables', readIf: (t) => t.every((a) => /^(-p|--print|-i.*|--info.*|-v|--verify|-V|--version|-O|--print-mbr|\/dev\/\S+)$/.test(a)) },
  cfdisk: { what: 'changes partition tables' },
  pvremove: { what: 'removes LVM physical volume labels' },
  vgremove: { what: 'removes LVM volume groups (and their logical volumes)' },
  lvremove: { what: 'removes LVM logical volumes (their data is lost)' },
  pvcreate: { what: 'writes LVM labels (erases the device)' },
  vgcreate: { what: 'creates an LVM volume group' },
  lvcreate: { what: 'creates LVM logical volumes' },
  lvreduce: { what: 'shrinks a logical volume (data beyond the new size is lost)' },
  lvresize: { what: 'resizes a logical volume' },
  vgreduce: { what: 'removes physical volumes from a group' },
  blkdiscard: { what: 'discards every block of the device (its data is gone)' },
  cryptsetup: { what: 'changes encryption headers', readIf: (t) => t.some((a) => /^(status|luksDump|isLuks|benchmark|--version|--help|open|luksOpen|close|luksClose)$/.test(a)) },
  mdadm: { what: 'changes RAID arrays', readIf: (t) => t.some((a) => /^(--detail|-D|--examine|-E|--query|-Q|--version|-V|--help)$/.test(a)) && !t.some((a) => /^(--zero-superblock|--create|-C|--remove|--fail|--grow|--stop|-S)$/.test(a)) },
  zpool: { what: 'changes ZFS pools', readIf: (t) => /^(list|status|iostat|get|history|events)$/.test(t.find((a) => !a.startsWith('-')) ?? 'status') },
  zfs: { what: 'changes ZFS datasets', readIf: (t) => /^(list|get|diff|holds|userspace|groupspace)$/.test(t.find((a) => !a.startsWith('-')) ?? 'list') },
  hdparm: { what: 'changes disk settings (can erase the disk)', readIf: (t) => !t.some((a) => /^--(security|trim|write|make-bad|dco|fwdownload)/.test(a)) && !t.some((a) => /^-[a-zA-Z]*[sWBMS]/.test(a) && !/^-[a-zA-Z]*[IitTgC]$/.test(a)) },
  nvme: { what: 'formats or sanitizes an NVMe device', readIf: (t) => /^(list|id-ctrl|id-ns|smart-log|error-log|fw-log|list-ns|show-regs|version|help)$/.test(t[0] ?? 'list') },
  sg_format: { what: 'low-level formats a SCSI disk' },
  badblocks: { what: 'scans a device (with -w it overwrites every block)', readIf: (t) => !shortHas(t, 'w') && !shortHas(t, 'n') },
  flashrom: { what: 'writes firmware', readIf: (t) => !shortHas(t, 'w', ['--write']) && !shortHas(t, 'E', ['--erase']) },
  fsck: { what: 'repairs a file system (may discard damaged data)', readIf: (t) => shortHas(t, 'n') || shortHas(t, 'N') },
  e2fsck: { what: 'repairs a file system (may discard damaged data)', readIf: (t) => shortHas(t, 'n') },
  xfs_repair: { what: 'repairs a file system (may discard damaged data)', readIf: (t) => shortHas(t, 'n') },
  dmsetup: { what: 'changes device-mapper tables', readIf: (t) => /^(ls|info|status|table|deps|version|targets)$/.test(t[0] ?? 'ls') },
  losetup: { what: 'attaches or detaches loop devices', readIf: (t) => t.length === 0 || shortHas(t, 'a', ['--all', '--list']) || t.every((a) => a.startsWith('-l')) },
  tune2fs: { what: 'changes file-system parameters', readIf: (t) => shortHas(t, 'l') && t.filter((a) => a.startsWith('-')).length === 1 },
  resize2fs: { what: 'resizes a file system' },
  swapoff: { what: 'disables swap' },
  umount: { what: 'unmounts a file system' },
};

function storageName(name: string): string | undefined {
  if (STORAGE[name]) return name;
  if (/^mkfs\.\w+$/.test(name) || /^mkfs\w*$/.test(name)) return 'mkfs';
  if (/^fsck\.\w+$/.test(name)) return 'fsck';
  return undefined;
}

function runStorage(name: string, key: string, t: string[], ctx: Ctx): void {
  const spec = STORAGE[key]!;
  if (t.length === 1 && /^(-h|--help|-V|--version)$/.test(t[0]!)) return plain(ctx, name, 'read', 'read', `${name} ${t[0]}`);
  if (spec.readIf?.(t)) return plain(ctx, name, 'read', 'read', `${name} ${t.join(' ')}: only lists`.trim());
  const dev = t.filter((a) => !a.startsWith('-')).find((a) => a.startsWith('/dev/')) ?? t.filter((a) => !a.startsWith('-')).pop() ?? '';
  plain(ctx, name, 'delete', 'irreversible', `${name} ${spec.what}${dev ? ` on ${dev}` : ''} (raw storage: nothing to undo)`, { target: dev || undefined, outsideWorkspace: true });
}

// ---------------------------------------------------------------- credential stores

interface Cred {
  /** Does this argv print or export a secret? */
  reads: (pos: string[], t: string[]) => boolean;
  /** Does it change or delete stored credentials? */
  writes?: (pos: string[], t: string[]) => boolean;
  what: string;
}
const has = (t: string[], ...xs: string[]): boolean => t.some((a) => xs.includes(a.split('=')[0]!));
const CRED: Record<string, Cred> = {
  security: { what: 'macOS keychain', reads: (p) => /^(find-generic-password|find-internet-password|find-key|dump-keychain|export|find-certificate|find-identity|dump-trust-settings)$/.test(p[0] ?? ''), writes: (p) => /^(delete-|add-|set-|import|create-keychain|unlock-keychain|default-keychain|authorizationdb)/.test(p[0] ?? '') },
  'secret-tool': { what: 'Secret Service keyring', reads: (p) => /^(lookup|search)$/.test(p[0] ?? ''), writes: (p) => /^(store|clear|lock)$/.test(p[0] ?? '') },
  pass: { what: 'pass password store', reads: (p) => p.length > 0 && !/^(ls|list|find|search|init|git|help|version|insert|add|edit|generate|rm|remove|delete|mv|rename|cp|copy)$/.test(p[0]!) || p[0] === 'show' || p[0] === 'grep', writes: (p) => /^(insert|add|edit|generate|rm|remove|delete|mv|rename|cp|copy|init)$/.test(p[0] ?? '') },
  gopass: { what: 'gopass password store', reads: (p) => /^(show|cat|otp|totp|clone|export)$/.test(p[0] ?? '') || (p.length === 1 && !/^(ls|list|find|search|help|version|sync|config|audit|env)$/.test(p[0]!)), writes: (p) => /^(insert|edit|generate|rm|delete|mv|cp|init|recipients)$/.test(p[0] ?? '') },
  gpg: { what: 'GnuPG', reads: (_p, t) => has(t, '--export-secret-keys', '--export-secret-subkeys', '--export-secret-key', '-d', '--decrypt', '--export-ownertrust', '--export-ssh-key') || t.some((a) => /^-[a-zA-Z]*d[a-zA-Z]*$/.test(a) && !a.startsWith('--')), writes: (_p, t) => has(t, '--delete-secret-keys', '--delete-keys', '--delete-secret-and-public-key', '--delete-key', '--import', '--gen-key', '--full-generate-key', '--quick-generate-key', '--edit-key', '--quick-set-expire') },
  gpg2: { what: 'GnuPG', reads: (_p, t) => has(t, '--export-secret-keys', '--export-secret-subkeys', '-d', '--decrypt'), writes: (_p, t) => has(t, '--delete-secret-keys', '--delete-keys', '--import') },
  gh: { what: 'GitHub CLI', reads: (p, t) => (p[0] === 'auth' && (p[1] === 'token' || (p[1] === 'status' && has(t, '--show-token', '-t')))) || (p[0] === 'secret' && p[1] === 'list' ? false : false) },
  glab: { what: 'GitLab CLI', reads: (p, t) => p[0] === 'auth' && (p[1] === 'token' || (p[1] === 'status' && has(t, '--show-token', '-t'))) || (p[0] === 'config' && p[1] === 'get' && /token/i.test(p[2] ?? '')) },
  poetry: { what: 'Poetry', reads: (p) => p[0] === 'config' && p.some((x) => /^(http-basic|pypi-token)\./.test(x)) && p.length === 2 },
  aws: { what: 'AWS CLI', reads: (p) => (p[0] === 'configure' && (p[1] === 'get' || p[1] === 'export-credentials')) || (p[0] === 'ecr' && /^get-login(-password)?$/.test(p[1] ?? '')) || (p[0] === 'sts' && /^get-session-token|assume-role|get-federation-token$/.test(p[1] ?? '')) || (p[0] === 'secretsmanager' && p[1] === 'get-secret-value') || (p[0] === 'ssm' && /^get-parameters?$/.test(p[1] ?? '')) || (p[0] === 'codeartifact' && p[1] === 'get-authorization-token') },
  gcloud: { what: 'Google Cloud CLI', reads: (p) => (p[0] === 'auth' && /^(print-access-token|print-identity-token|application-default)$/.test(p[1] ?? '')) || (p[0] === 'secrets' && p[1] === 'versions' && p[2] === 'access') },
  az: { what: 'Azure CLI', reads: (p) => (p[0] === 'account' && p[1] === 'get-access-token') || (p[0] === 'keyvault' && p[1] === 'secret' && /^(show|download)$/.test(p[2] ?? '')) || (p.includes('keys') && p.includes('list') && p[0] === 'storage') },
  heroku: { what: 'Heroku CLI', reads: (p) => /^(auth:token|authorizations:create|config|config:get)$/.test(p[0] ?? '') },
  vault: { what: 'Vault', reads: (p) => /^(read|kv|token)$/.test(p[0] ?? '') && !/^(list|metadata)$/.test(p[1] ?? '') && (p[0] !== 'kv' || /^(get|export)$/.test(p[1] ?? '')) && (p[0] !== 'token' || /^(create|lookup)$/.test(p[1] ?? '')) },
  op: { what: '1Password CLI', reads: (p) => /^(read|inject|run)$/.test(p[0] ?? '') || (p[0] === 'item' && p[1] === 'get') || (p[0] === 'document' && p[1] === 'get') },
  bw: { what: 'Bitwarden CLI', reads: (p) => /^(get|export|unlock|serve)$/.test(p[0] ?? '') || (p[0] === 'list' && p[1] === 'items') },
  lpass: { what: 'LastPass CLI', reads: (p) => /^(show|export)$/.test(p[0] ?? '') },
  doppler: { what: 'Doppler', reads: (p) => p[0] === 'secrets' && p[1] !== 'names' && p[1] !== 'set' && p[1] !== 'delete' || p[0] === 'run' },
  infisical: { what: 'Infisical', reads: (p) => /^(export|secrets|run)$/.test(p[0] ?? '') && p[1] !== 'set' && p[1] !== 'delete' },
  kubectl: { what: 'kubectl', reads: (p, t) => (p[0] === 'get' && /^(secrets?|secret\/\S+)$/.test(p[1] ?? '') && has(t, '-o', '--output') || (p[0] === 'get' && /^secrets?\//.test(p[1] ?? ''))) || (p[0] === 'config' && p[1] === 'view' && has(t, '--raw', '--flatten')) || (p[0] === 'create' && p[1] === 'token') || (p[0] === 'describe' && /^secrets?$/.test(p[1] ?? '') && false) },
  keyring: { what: 'Python keyring', reads: (p) => p[0] === 'get', writes: (p) => /^(set|del)$/.test(p[0] ?? '') },
  'git-credential': { what: 'git credential helper', reads: () => true },
  firebase: { what: 'Firebase CLI', reads: (p) => p[0] === 'login:ci' },
  // A deployment's environment variables (API keys, database URLs), printed or written to a local file.
  vercel: { what: 'Vercel CLI', reads: (p) => p[0] === 'env' && /^(pull|get)$/.test(p[1] ?? '') },
  netlify: { what: 'Netlify CLI', reads: (p) => /^env:(get|list|export)$/.test(p[0] ?? '') },
  railway: { what: 'Railway CLI', reads: (p) => p[0] === 'variables' },
  flyctl: { what: 'Fly.io CLI', reads: (p) => p[0] === 'auth' && p[1] === 'token' },
  fly: { what: 'Fly.io CLI', reads: (p) => p[0] === 'auth' && p[1] === 'token' },
  npm: { what: 'npm', reads: (p) => p[0] === 'token' && (p[1] === 'create' || p[1] === 'list') || (p[0] === 'config' && p[1] === 'get' && /_?auth/i.test(p[2] ?? '')) },
  docker: { what: 'Docker', reads: (p) => p[0] === 'secret' && p[1] === 'inspect' },
  kwallet: { what: 'KWallet', reads: () => true },
  'kwallet-query': { what: 'KWallet', reads: (_p, t) => has(t, '-r', '--read-password') },
};

/** Tools that are nothing but a credential store (the others also do unrelated work). */
const PURE_STORES = new Set(['security', 'secret-tool', 'pass', 'gopass', 'gpg', 'gpg2', 'keyring', 'lpass', 'kwallet-query']);

/** A credential-store command: returns true when handled (reads secrets, or changes the store). */
export function credentialStore(name: string, args: ShWord[], ctx: Ctx): boolean {
  const spec = CRED[name];
  if (!spec) return false;
  const t = args.map((a) => a.text);
  const pos = t.filter((a) => !a.startsWith('-'));
  if (spec.writes?.(pos, t)) {
    plain(ctx, name, 'write', 'irreversible', `${name} ${pos.slice(0, 2).join(' ')}: changes stored credentials (${spec.what})`, { secrets: true, outsideWorkspace: true });
    return true;
  }
  if (spec.reads(pos, t)) {
    plain(ctx, name, 'read', 'read', `${name} ${pos.slice(0, 3).join(' ')}: prints or exports a secret from the ${spec.what} credential store`, { secrets: true });
    if (name === 'op' || name === 'doppler' || name === 'infisical') return false; // `op run -- cmd` also runs the command: let the table see it
    return true;
  }
  if (PURE_STORES.has(name)) {
    // Anything else these tools do lists or inspects the store (gpg may write an output file).
    const o = t.findIndex((a) => a === '-o' || a === '--output');
    if (o >= 0 && args[o + 1]) pathEffect(ctx, 'create', args[o + 1]!, name, ' (output)');
    plain(ctx, name, 'read', 'read', `${name} ${pos.slice(0, 2).join(' ')}: lists or inspects the ${spec.what}`.replace(/ +:/, ':'));
    return true;
  }
  return false;
}

/** Read a path; the effect is kept only when it names secrets (so the person sees it). */
export function readSecretAware(ctx: Ctx, w: ShWord, source: string): void {
  const before = ctx.effects.length;
  pathEffect(ctx, 'read', w, source);
  const e = ctx.effects[before];
  if (e && !e.secrets) ctx.effects.length = before;
}

// ---------------------------------------------------------------- multiplexers, recorders, watchers

const TMUX_WITH_ARG = new Set(['-s', '-n', '-t', '-c', '-x', '-y', '-F', '-e', '-f', '-l', '-p', '-T', '-L', '-S', '-b', '-w']);
const TMUX_RUNS = /^(new-session|new|new-window|neww|split-window|splitw|respawn-pane|respawnp|respawn-window|respawnw|run-shell|run|if-shell|if|display-popup|popup|pipe-pane|pipep)$/;
const TMUX_READ = /^(ls|list-\w+|has-session|has|capture-pane|capturep|display-message|display|show-\w+|show|info|server-info|attach|attach-session|a|at|lsk|lsc|lsp|lsw|lss)$/;

function runTmux(args: ShWord[], ctx: Ctx, runScript: ScriptRunner): void {
  const t = args.map((a) => a.text);
  let i = 0;
  while (i < t.length && t[i]!.startsWith('-')) i += /^-[LSf]$/.test(t[i]!) ? 2 : 1;
  const verb = t[i] ?? '';
  const rest = t.slice(i + 1);
  if (!verb) return plain(ctx, 'tmux', 'read', 'read', 'tmux opens an interactive session');
  if (TMUX_READ.test(verb)) return plain(ctx, 'tmux', 'read', 'read', `tmux ${verb}`);
  const pos: string[] = [];
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '--') {
      pos.push(...rest.slice(j + 1));
      break;
    }
    if (rest[j]!.startsWith('-') && pos.length === 0) {
      if (TMUX_WITH_ARG.has(rest[j]!)) j++;
      continue;
    }
    pos.push(rest[j]!);
  }
  if (TMUX_RUNS.test(verb)) {
    if (pos.length) runScript(pos.join(' '), ctx, `tmux ${verb}`);
    else plain(ctx, 'tmux', 'process', 'recoverable', `tmux ${verb} starts a shell`);
    return;
  }
  if (verb === 'send-keys' || verb === 'send') {
    const keys = pos.filter((k) => !/^(Enter|C-m|KPEnter|C-j)$/.test(k));
    if (keys.length) runScript(keys.join(' '), ctx, 'tmux send-keys');
    return;
  }
  plain(ctx, 'tmux', 'process', 'recoverable', `tmux ${verb}`);
}

function runScreen(args: ShWord[], ctx: Ctx, runScript: ScriptRunner, run: ArgvRunner): void {
  const t = args.map((a) => a.text);
  let i = 0;
  while (i < t.length && t[i]!.startsWith('-')) {
    const a = t[i]!;
    if (a === '-X') {
      const cmd = t.slice(i + 1);
      if (cmd[0] === 'stuff' && cmd[1] !== undefined) runScript(cmd.slice(1).join(' ').replace(/\\n|\^M|\r/g, '\n'), ctx, 'screen stuff');
      else plain(ctx, 'screen', 'process', 'recoverable', `screen -X ${cmd.join(' ')}`);
      return;
    }
    if (/^-(ls|list|r|R|x|v|version|help)$/.test(a) || a === '-wipe') return plain(ctx, 'screen', 'read', 'read', `screen ${a}`);
    i += /^-[SceEhpTtL]$/.test(a) || a === '-Logfile' ? 2 : 1;
  }
  if (i < args.length) run(args.slice(i));
  else plain(ctx, 'screen', 'read', 'read', 'screen opens an interactive session');
}

function runScriptCmd(args: ShWord[], ctx: Ctx, runScript: ScriptRunner): void {
  const t = args.map((a) => a.text);
  let cmd: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    if (a === '-c' || a === '--command') cmd = t[++i];
    else if (a.startsWith('--command=')) cmd = a.slice(10);
    else if (/^-[TIOBEmt]$/.test(a) || /^--(log-\w+|timing|echo|logging-format)$/.test(a)) i++;
    else if (!a.startsWith('-')) files.push(a);
  }
  for (const f of files) pathEffect(ctx, shortHas(t, 'a', ['--append']) ? 'write' : 'create', f, 'script', ' (typescript log)');
  if (cmd !== undefined) runScript(cmd, ctx, 'script -c');
  else execUnknown(ctx, 'script', 'script starts an interactive shell', 'recoverable');
}

function runEntr(args: ShWord[], ctx: Ctx, runScript: ScriptRunner, run: ArgvRunner): void {
  let i = 0;
  let shell = false;
  while (i < args.length && /^-[a-zA-Z]+$/.test(args[i]!.text)) {
    if (args[i]!.text.includes('s')) shell = true;
    i++;
  }
  const rest = args.slice(i);
  if (rest.length === 0) return plain(ctx, 'entr', 'read', 'read', 'entr without a command');
  if (shell) runScript(rest.map((a) => a.text).join(' '), ctx, 'entr -s');
  else run(rest);
}

// ---------------------------------------------------------------- archivers and patch

function runTar(args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  // Old-style bundle as the first word (`tar xzf a.tgz`) or dashed (`-xzf`).
  const first = t[0] ?? '';
  const bundle = /^[a-zA-Z]+$/.test(first) ? first : '';
  const opts = t.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('') + bundle;
  const longs = t.filter((a) => a.startsWith('--'));
  const mode = /[xX]/.test(opts.replace(/[^a-zA-Z]/g, '').replace(/X/g, '')) || longs.some((a) => /^--(extract|get)$/.test(a)) ? 'x' : /c/.test(opts) || longs.includes('--create') ? 'c' : /[ru]/.test(opts) || longs.some((a) => /^--(append|update)$/.test(a)) ? 'r' : /t/.test(opts) || longs.includes('--list') ? 't' : longs.some((a) => a === '--delete') ? 'd' : '?';
  let file: string | undefined;
  const fIdx = t.findIndex((a) => a === '-f' || a === '--file' || (/^-[a-zA-Z]*f$/.test(a)));
  if (fIdx >= 0) file = t[fIdx + 1];
  else if (bundle.includes('f')) file = t[1];
  const fileEq = t.find((a) => a.startsWith('--file='));
  if (fileEq) file = fileEq.slice(7);
  if (t.length === 1 && /^(--help|--version)$/.test(first)) return plain(ctx, 'tar', 'read', 'read', `tar ${first}`);
  if (mode === 't') return plain(ctx, 'tar', 'read', 'read', `tar lists ${file ?? 'an archive'}`);
  if (mode === 'x') {
    if (file && file !== '-') pathEffect(ctx, 'read', file, 'tar');
    const toStdout = shortHas(t, 'O', ['--to-stdout']);
    if (toStdout) return plain(ctx, 'tar', 'read', 'read', 'tar extracts to stdout');
    const keep = shortHas(t, 'k', ['--keep-old-files', '--skip-old-files']);
    pathEffect(ctx, keep ? 'write' : 'overwrite', '.', 'tar', ` (extracts ${file ?? 'an archive'} here${keep ? '' : ', replacing files with the same names'})`);
    return;
  }
  if (mode === 'c' || mode === 'r' || mode === 'd') {
    const members = t.filter((a, i) => !a.startsWith('-') && i !== (fIdx >= 0 ? fIdx + 1 : bundle.includes('f') ? 1 : -1) && !(i === 0 && bundle));
    for (const m of members) readSecretAware(ctx, lit(m), 'tar');
    // --remove-files: each member is deleted once it is in the archive (an archive on stdout or
    // /dev/null keeps nothing of it).
    if (longs.includes('--remove-files')) for (const m of members) pathEffect(ctx, 'delete', lit(m), 'tar', ' (--remove-files deletes it once archived)');
    if (file && file !== '-') pathEffect(ctx, mode === 'c' ? (ctx.env.fs.kind(absolutize(file, ctx.env)) === 'file' ? 'overwrite' : 'create') : 'write', file, 'tar', ' (archive)');
    else plain(ctx, 'tar', 'read', 'read', 'tar writes an archive to stdout');
    return;
  }
  unknownEffect(ctx, 'tar', `tar ${t.join(' ')}: cannot tell whether it creates or extracts`);
}

function runUnzip(args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  if (shortHas(t, 'l') || shortHas(t, 'v') || shortHas(t, 't') || shortHas(t, 'Z') || shortHas(t, 'p')) return plain(ctx, 'unzip', 'read', 'read', 'unzip lists or tests');
  const archive = t.find((a) => !a.startsWith('-'));
  if (archive) pathEffect(ctx, 'read', archive, 'unzip');
  pathEffect(ctx, shortHas(t, 'o') ? 'overwrite' : 'write', '.', 'unzip', ` (extracts ${archive ?? 'an archive'} here)`);
}

/** zip's options that take a value (the value is not a member). */
const ZIP_VALUE = new Set(['-b', '-n', '-t', '-tt', '-P', '-x', '-i', '-O', '--out', '-Z', '-s', '-sp', '-sb', '-la', '-lf', '-li']);

function runZip(name: string, args: ShWord[], ctx: Ctx): void {
  const pos = positionals(args, ZIP_VALUE);
  if (pos.length === 0) return plain(ctx, name, 'read', 'read', `${name} help`);
  for (const m of pos.slice(1)) readSecretAware(ctx, m, name);
  // -m (--move) alone or in a bundle (`-rm`, `-9mr`): the members are deleted once zipped.
  const bundled = (letter: string): boolean => args.some((a) => /^-[a-zA-Z0-9]+$/.test(a.text) && !ZIP_VALUE.has(a.text) && a.text.slice(1).includes(letter));
  const moves = bundled('m') || args.some((a) => a.text === '--move');
  const deletes = moves || args.some((a) => a.text === '-d' || a.text === '--delete');
  pathEffect(ctx, deletes ? 'overwrite' : 'write', pos[0]!, name, ' (archive)');
  if (moves) for (const m of pos.slice(1)) pathEffect(ctx, 'delete', m, name, ' (moved into the archive)');
}

/**
 * 7-Zip: `7z <command> <archive> [files]`, switches anywhere (`-sdel`, `-oDIR`, `-y`). a/u add
 * (and with -sdel delete the files once added), d deletes entries, x/e extract, l/t/h/i/b read.
 */
function run7z(name: string, args: ShWord[], ctx: Ctx): void {
  const pos = positionals(args);
  const cmd = pos[0]?.text ?? '';
  const archive = pos[1];
  const files = pos.slice(2);
  const sw = args.map((a) => a.text).filter((a) => a.startsWith('-'));
  if (!cmd || /^(l|t|h|i|b)$/.test(cmd)) return plain(ctx, name, 'read', 'read', `${name} ${cmd || 'help'}: lists, tests or prints`);
  if (!archive) return unknownEffect(ctx, name, `${name} ${cmd} without an archive`);
  if (cmd === 'a' || cmd === 'u') {
    for (const f of files) readSecretAware(ctx, f, name);
    pathEffect(ctx, ctx.env.fs.kind(absolutize(archive.text, ctx.env)) === 'file' ? 'write' : 'create', archive, name, ' (archive)');
    if (sw.includes('-sdel')) for (const f of files) pathEffect(ctx, 'delete', f, name, ' (-sdel deletes it once archived)');
    return;
  }
  if (cmd === 'd' || cmd === 'rn') return pathEffect(ctx, 'overwrite', archive, name, ` (${cmd === 'd' ? 'deletes entries from' : 'renames entries in'} the archive)`);
  if (cmd === 'x' || cmd === 'e') {
    pathEffect(ctx, 'read', archive, name);
    const out = sw.find((a) => a.startsWith('-o') && a.length > 2)?.slice(2) ?? '.';
    const over = sw.some((a) => a === '-y' || a === '-aoa');
    return pathEffect(ctx, over ? 'overwrite' : 'write', lit(out), name, ` (extracts ${archive.text})`);
  }
  unknownEffect(ctx, name, `${name} ${cmd}: a command Airlock does not know`);
}

/** gzip/xz/bzip2/zstd/lz4: compress or decompress in place (the counterpart undoes it), or to stdout. */
function runCompressor(name: string, args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  const files = args.filter((a) => !a.text.startsWith('-'));
  const stdout = shortHas(t, 'c', ['--stdout', '--to-stdout']) || shortHas(t, 'l', ['--list']) || shortHas(t, 't', ['--test']) || /cat$/.test(name);
  for (const f of files) {
    readSecretAware(ctx, f, name);
    if (!stdout) pathEffect(ctx, 'write', f, name, ' (replaced by its (de)compressed version)');
  }
  if (stdout || files.length === 0) plain(ctx, name, 'read', 'read', `${name} to stdout`);
}

function runPatch(args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  if (t.includes('--dry-run') || t.includes('-C') || t.includes('--check')) return plain(ctx, 'patch', 'read', 'read', 'patch --dry-run');
  const d = t.findIndex((a) => a === '-d' || a === '--directory');
  const inIdx = t.findIndex((a) => a === '-i' || a === '--input');
  if (inIdx >= 0 && t[inIdx + 1]) pathEffect(ctx, 'read', t[inIdx + 1]!, 'patch');
  const target = t.find((a, i) => !a.startsWith('-') && i !== d + 1 && i !== inIdx + 1 && !/^-p\d*$/.test(t[i - 1] ?? ''));
  pathEffect(ctx, 'write', target ?? (d >= 0 && t[d + 1] ? t[d + 1]! : '.'), 'patch', ' (applies a patch)');
}

const COMPRESSORS = new Set(['gzip', 'gunzip', 'zcat', 'xz', 'unxz', 'xzcat', 'bzip2', 'bunzip2', 'bzcat', 'zstd', 'unzstd', 'zstdcat', 'lz4', 'unlz4', 'lzma', 'unlzma', 'brotli', 'pigz']);

/** Dispatch to a family. Returns false when `name` belongs to none. */
export function runFamily(name: string, args: ShWord[], ctx: Ctx, runScript: ScriptRunner, run: ArgvRunner): boolean {
  const t = args.map((a) => a.text);
  if (NETCATS.has(name)) return runNetcat(name, t, ctx, runScript), true;
  if (name === 'socat') return runSocat(t, ctx, runScript), true;
  if (name === 'openssl') return runOpenssl(t, ctx), true;
  if (name === 'telnet') return network(ctx, 'telnet', 'irreversible', `telnet ${t.join(' ')}: sends what it reads to another machine`), true;
  const st = storageName(name);
  if (st) return runStorage(name, st, t, ctx), true;
  if (credentialStore(name, args, ctx)) return true;
  if (name === 'tmux') return runTmux(args, ctx, runScript), true;
  if (name === 'screen') return runScreen(args, ctx, runScript, run), true;
  if (name === 'script') return runScriptCmd(args, ctx, runScript), true;
  if (name === 'entr') return runEntr(args, ctx, runScript, run), true;
  if (name === 'tar' || name === 'bsdtar' || name === 'gtar') return runTar(args, ctx), true;
  if (name === 'unzip') return runUnzip(args, ctx), true;
  if (name === 'zip') return runZip(name, args, ctx), true;
  if (name === '7z' || name === '7za' || name === '7zz' || name === '7zr') return run7z(name, args, ctx), true;
  if (COMPRESSORS.has(name)) return runCompressor(name, args, ctx), true;
  if (name === 'patch') return runPatch(args, ctx), true;
  return false;
}
