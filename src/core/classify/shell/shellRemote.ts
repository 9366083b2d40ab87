/**
 * Programs that act on other machines: curl/wget/httpie, ssh/scp/rsync, docker exec and
 * kubectl exec (inner command classified as remote), and database CLIs (the SQL is extracted and
 * classified with classifySql; redis commands from a table).
 */
import { absolutize } from '../../paths.js';
import type { Classification } from '../../effects.js';
import { classifySql } from '../sql.js';
import { SEARCH_PATH } from '../http.js';
import { add, execUnknown, lit, network, pathEffect, plain, resolveFrom, type Ctx } from './shellContext.js';
import type { ScriptRunner, Stdin } from './shellTypes.js';
import type { ShWord } from './shellWords.js';
import { FILE_TOOLS } from './shellFiles.js';
import { describeReadError, MAX_SCRIPT_BYTES, missingMeansFailure, readForJudging } from '../inside/insideState.js';
import { originOf } from '../inside/provenance.js';

const MUTATING_METHODS = /^(POST|PUT|PATCH|DELETE)$/i;

export function runCurl(name: string, args: ShWord[], ctx: Ctx, stdin?: Stdin): void {
  let method: string | undefined;
  let sends: string | undefined;
  let url = '';
  const t = args.map((a) => a.text);
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    const val = (long: string): string | undefined => (a.startsWith(long + '=') ? a.slice(long.length + 1) : t[i + 1]);
    const bundledX = name !== 'wget' ? /^-[a-zA-Z]*X(.*)$/.exec(a) : null;
    if (a === '--request' || a.startsWith('--request=')) method = val('--request');
    // -X, -XDELETE, and -X bundled after other short flags (`-sX DELETE`, `-sSXPUT`).
    else if (bundledX && !a.startsWith('--')) method = bundledX[1] ? bundledX[1] : t[i + 1];
    else if (/^(-d|--data(-\w+)?|-F|--form(-string)?|--json|-T|--upload-file)$/.test(a.split('=')[0]!) || /^-[dFT]./.test(a)) sends = a.split('=')[0];
    else if (name === 'wget' && /^--(post-data|post-file|body-data|body-file)/.test(a)) sends = a.split('=')[0];
    else if (name === 'wget' && a.startsWith('--method')) method = val('--method');
    else if ((a === '-o' || a === '--output' || a === '-O' || a === '--output-document') && t[i + 1] !== undefined && !(name === 'curl' && a === '-O')) {
      if (t[i + 1] !== '-' && t[i + 1] !== '/dev/null') {
        const dest = args[i + 1]!;
        const abs = dest.literal ? resolveFrom(ctx, dest.text) : undefined;
        const k = abs === undefined ? undefined : ctx.env.fs.kind(abs);
        pathEffect(ctx, k === 'file' ? 'overwrite' : 'create', dest, name, ' (download)');
      }
      i++;
    } else if (/^https?:\/\/|^[\w.-]+(:\d+)?\//.test(a) || /^[\w.-]+:\d+/.test(a)) url = a;
    // HTTPie's shorthand for localhost: `:7700/path`, `:/path`.
    else if (name !== 'curl' && name !== 'wget' && url === '' && /^:\d*(\/|$)/.test(a)) url = `localhost${a}`;
  }
  if (name === 'http' || name === 'https' || name === 'xh') {
    const m = t.find((a) => MUTATING_METHODS.test(a));
    if (m) method = m;
    if (t.some((a) => /^[\w-]+(=|:=)/.test(a) || /^[\w-]+@./.test(a) || /^@./.test(a))) sends = 'request body';
    // HTTPie sends what is piped into it as the body (unless told to ignore standard input).
    if (stdin && stdin.kind !== 'none' && !t.some((a) => a === '--ignore-stdin' || a === '-I')) sends = 'standard input';
  }
  if (name === 'wget' && !t.some((a) => a === '-O' || a.startsWith('--output-document') || a === '--spider')) pathEffect(ctx, 'create', lit('.'), name, ' (downloads files into it)');
  if (((method && MUTATING_METHODS.test(method)) || sends) && searchRead(name, args, method, sends, url)) {
    network(ctx, name, 'read', `${name} POST ${url}: a search or count query (REST convention), ${sends ? 'with a literal query to a service on this machine' : 'without a body'}: reads`, url);
    return;
  }
  if ((method && MUTATING_METHODS.test(method)) || sends) {
    network(ctx, name, 'irreversible', `${name} ${method?.toUpperCase() ?? 'POST'} ${url}: sends data or mutates remote state (it has left the machine)`, url);
    const dataFile = t.find((a, i) => /^(-d|--data(-binary)?|-T|--upload-file)$/.test(t[i - 1] ?? '') && a.startsWith('@'));
    if (dataFile && dataFile !== '@-') pathEffect(ctx, 'read', lit(dataFile.slice(1)), name, ' (uploaded)');
    return;
  }
  if (METADATA_HOST.test(hostPath(url).host)) {
    network(ctx, name, 'read', `${name} GET ${url}: the cloud instance metadata service, which hands out this machine's cloud credentials`, url);
    plain(ctx, name, 'read', 'read', `${name} reads the cloud instance metadata service (${hostPath(url).host}): the machine's cloud credentials and identity tokens`, { secrets: true, target: url });
    return;
  }
  network(ctx, name, 'read', `${name} GET ${url}`, url);
}

/**
 * Cloud instance metadata services (AWS, GCP, Azure, OpenStack, DigitalOcean on 169.254.169.254;
 * AWS's IPv6 address; ECS task credentials; GCP's names; Alibaba Cloud): a GET there returns the
 * machine's role credentials and identity tokens.
 */
const METADATA_HOST = /^(?:169\.254\.169\.254|169\.254\.170\.2|\[fd00:ec2::254\]|metadata\.google\.internal|metadata\.goog|metadata|100\.100\.100\.200|instance-data(?:\.ec2\.internal)?)$/i;

const LOOPBACK = /^(?:localhost|[\w.-]+\.localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|0\.0\.0\.0)$/i;

/** Host and path of a URL as curl/HTTPie take it (scheme optional). */
function hostPath(url: string): { host: string; path: string } {
  const m = /^(?:[a-z][\w+.-]*:\/\/)?(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::\d*)?([^?#]*)/i.exec(url);
  return { host: (m?.[1] ?? '').toLowerCase(), path: m?.[2] ?? '' };
}

/**
 * A POST to a search/query endpoint only reads: without a body anywhere, and with a literal query
 * (no file, no stdin, no form or upload) only to a service on this machine (loopback). A body sent
 * to another machine is data leaving it, whatever the endpoint: that still asks. PUT/PATCH/DELETE
 * never read.
 */
function searchRead(name: string, args: ShWord[], method: string | undefined, sends: string | undefined, url: string): boolean {
  if (method !== undefined && method.toUpperCase() !== 'POST') return false;
  if (sends === 'standard input') return false;
  const { host, path } = hostPath(url);
  if (!url || !SEARCH_PATH.test(path)) return false;
  if (!sends) return true;
  if (!LOOPBACK.test(host)) return false;
  const t = args.map((a) => a.text);
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    if (name === 'curl') {
      if (/^(-F|--form(-string)?|-T|--upload-file)$/.test(a.split('=')[0]!) || /^-[FT]./.test(a)) return false;
      const attached = /^-d(.+)$/.exec(a)?.[1] ?? /^--(?:data[\w-]*|json)=(.*)$/.exec(a)?.[1];
      const sep = /^(-d|--data|--data-raw|--data-ascii|--data-binary|--data-urlencode|--json)$/.test(a);
      if (attached === undefined && !sep) continue;
      const w = sep ? args[i + 1] : { ...args[i]!, text: attached! };
      if (!w || !w.literal || w.unknownVars.length || w.subst || (w.text.startsWith('@') && a !== '--data-raw' && !a.startsWith('--data-raw=')) || w.text === '-') return false;
      if (sep) i++;
    } else if (/^[\w.-]+(?:=|:=)@/.test(a) || a.startsWith('@') || /^[\w.-]+=@/.test(a)) return false;
    else if (/^[\w.-]+(?:=|:=)/.test(a) && (!args[i]!.literal || args[i]!.unknownVars.length || args[i]!.subst)) return false;
  }
  return true;
}

const SSH_WITH_ARG = new Set(['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w', '-B']);

export function runSsh(args: ShWord[], ctx: Ctx, runScript: ScriptRunner, stdin: Stdin): void {
  let i = 0;
  const t = args.map((a) => a.text);
  if (t.length === 1 && /^(-V|--version|--help|-h)$/.test(t[0]!)) {
    plain(ctx, 'ssh', 'read', 'read', `ssh ${t[0]}`);
    return;
  }
  const opts: string[] = [];
  const takeOptions = (): void => {
    while (i < t.length && t[i]!.startsWith('-')) {
      const a = t[i]!;
      opts.push(a);
      if (SSH_WITH_ARG.has(a)) opts.push(t[i + 1] ?? '');
      i += SSH_WITH_ARG.has(a) ? 2 : 1;
    }
  };
  takeOptions();
  const host = t[i];
  if (host === undefined) return;
  // OpenSSH reads options after the destination too (`ssh host -N -R …`), up to the command.
  i++;
  takeOptions();
  // A remote forward (-R, RemoteForward) opens a port on the remote side that leads into this
  // machine: anyone who reaches that port reaches the forwarded service here (a way in, not out).
  const remoteForward = opts.some((a, k) => a === '-R' || /^-R./.test(a) || (opts[k - 1] === '-o' && /^remoteforward[\s=]/i.test(a)) || /^-oRemoteForward/i.test(a));
  if (remoteForward) network(ctx, 'ssh', 'irreversible', `ssh -R opens a port on ${host} that leads into this machine (a way in for whoever reaches it)`, host);
  const cmd = args.slice(i);
  if (cmd.length === 0) {
    if (stdin.kind === 'pipe' || stdin.kind === 'text') execUnknown(ctx, 'ssh', `pipes commands into a remote shell on ${host}`);
    else network(ctx, 'ssh', 'read', `opens an interactive session on ${host}`, host);
    return;
  }
  const sub: Ctx = { ...ctx, remote: host, vars: new Map() };
  network(ctx, 'ssh', 'read', `connects to ${host}`, host);
  runScript(cmd.map((a) => a.text).join(' '), sub, `ssh ${host}`);
}

const REMOTE_PATH = /^(?:[\w.-]+@)?[\w.-]+:(.*)$/;
const SYSTEM_REMOTE = /^\/(?:$|etc|bin|sbin|boot|lib|lib64|usr|var\/lib|opt|root|sys|proc|dev)(?:\/|$)/;

export function runCopyRemote(name: 'scp' | 'rsync', args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  if (t.some((a) => a === '--help' || a === '-h' || a === '--version') && name === 'scp') {
    plain(ctx, name, 'read', 'read', `${name} help`);
    return;
  }
  const withArg = name === 'scp' ? new Set(['-P', '-i', '-o', '-F', '-c', '-l', '-J', '-S']) : new Set(['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--files-from', '--exclude-from', '--include-from', '--rsync-path', '--port', '--log-file', '--backup-dir', '--link-dest', '--compare-dest', '--chmod', '--chown', '--bwlimit', '--timeout']);
  const pos: ShWord[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = t[i]!;
    if (a.startsWith('-')) {
      if (withArg.has(a)) i++;
      continue;
    }
    pos.push(args[i]!);
  }
  const dry = name === 'rsync' && (t.some((a) => a === '--dry-run' || a === '--list-only') || t.some((a) => /^-[a-zA-Z]*n[a-zA-Z]*$/.test(a)));
  const del = name === 'rsync' && t.some((a) => a.startsWith('--del'));
  // --remove-source-files: each file copied is deleted from the source side.
  const removeSources = name === 'rsync' && t.includes('--remove-source-files');
  if (dry) {
    plain(ctx, name, 'read', 'read', `${name} dry run`);
    return;
  }
  if (pos.length < 2) {
    plain(ctx, name, 'read', 'read', `${name} lists`);
    return;
  }
  // scp between two local paths is a cp (`scp file.txt /tmp/`).
  if (name === 'scp' && pos.every((p) => !REMOTE_PATH.test(p.text) || p.text.startsWith('/') || p.text.startsWith('./'))) {
    FILE_TOOLS.cp!([...(t.some((a) => /^-[a-zA-Z]*r/.test(a)) ? [lit('-r')] : []), ...pos], ctx, () => undefined);
    return;
  }
  const dest = pos[pos.length - 1]!;
  for (const s of pos.slice(0, -1)) {
    if (REMOTE_PATH.test(s.text) && !s.text.startsWith('/')) {
      if (removeSources) network(ctx, name, 'irreversible', `${name} downloads ${s.text} and deletes the files there (--remove-source-files)`, s.text);
      else network(ctx, name, 'read', `${name} downloads ${s.text}`, s.text);
    } else if (removeSources) pathEffect(ctx, 'delete', s, name, ' (--remove-source-files deletes what it copied)');
    else pathEffect(ctx, 'read', s, name);
  }
  const m = REMOTE_PATH.exec(dest.text);
  if (m && !dest.text.startsWith('/') && !dest.text.startsWith('./')) {
    const rpath = m[1]!;
    const risky = SYSTEM_REMOTE.test(rpath) || del;
    network(ctx, name, risky ? 'irreversible' : 'recoverable', `${name} writes files on ${dest.text}${del ? ' and deletes files there that are not in the source' : ''}${SYSTEM_REMOTE.test(rpath) ? ' (system folder)' : ''}`, dest.text);
    return;
  }
  if (del) pathEffect(ctx, 'delete', dest, name, ' (--delete removes files not in the source)');
  else if (!dest.unknownVars.length && !dest.subst && ctx.env.fs.kind(absolutize(dest.text, ctx.env)) === 'file' && !t.some((a) => a === '-b' || a === '--backup' || a === '--ignore-existing')) pathEffect(ctx, 'overwrite', dest, name, ' (replaces the file)');
  else pathEffect(ctx, 'write', dest, name, ' (copies files into it)');
}

/** `docker exec … cmd`, `kubectl exec … -- cmd`: the inner command runs in the container. */
export function runInContainer(tool: string, args: ShWord[], ctx: Ctx, runScript: ScriptRunner, withArg: Set<string>): void {
  let i = 0;
  const t = args.map((a) => a.text);
  const dd = t.indexOf('--');
  let target = '';
  if (dd >= 0 && tool === 'kubectl') {
    target = t.slice(0, dd).filter((a) => !a.startsWith('-')).pop() ?? '';
    i = dd + 1;
  } else {
    while (i < t.length && t[i]!.startsWith('-')) i += withArg.has(t[i]!) ? 2 : 1;
    target = t[i] ?? '';
    i++;
  }
  const cmd = args.slice(i);
  if (cmd.length === 0) return;
  const sub: Ctx = { ...ctx, remote: `${tool} container ${target}`, vars: new Map() };
  runScript(cmd.map((a) => (/^[\w./=:@%+,-]+$/.test(a.text) ? a.text : `'${a.text.replace(/'/g, "'\\''")}'`)).join(' '), sub, `${tool} exec`);
}

type Dialect = 'postgres' | 'mysql' | 'sqlite';
const READ_SQL = /^\s*(select|show|explain(?!\s+analyze)|describe|desc|pragma\s+\w+\s*(;|$)|with\s[\s\S]*\bselect\b(?![\s\S]*\b(insert|update|delete)\b)|\\[a-z?]+|values|table\s)/i;

/** classifySql with a local fallback while the SQL classifier is not available. */
export function sqlEffects(sql: string, dialect: Dialect, ctx: Ctx, source: string): void {
  let c: Classification | undefined;
  try {
    c = classifySql(sql, dialect);
  } catch {
    c = undefined;
  }
  const stub = !c || (c.reversibility === 'unknown' && c.reasons.some((r) => /not implemented/i.test(r)));
  if (c && !stub) {
    for (const e of c.effects) add(ctx, { ...e, source: `${source}: ${e.source ?? 'sql'}`, network: e.network });
    return;
  }
  const stmts = sql.split(';').map((s) => s.replace(/--.*$/gm, '').trim()).filter(Boolean);
  for (const s of stmts) {
    if (READ_SQL.test(s)) plain(ctx, source, 'read', 'read', `${source}: ${s.slice(0, 60)}`);
    else plain(ctx, source, 'write', 'irreversible', `${source}: ${s.slice(0, 60)} (changes the database; no transaction around it)`);
  }
}

const REDIS_DESTRUCTIVE = new Set(['flushall', 'flushdb', 'del', 'unlink', 'expire', 'pexpire', 'rename', 'set', 'getdel', 'hdel', 'lpop', 'rpop', 'srem', 'zrem', 'lrem', 'ltrim', 'config', 'shutdown', 'debug', 'script', 'eval', 'evalsha', 'function', 'migrate', 'restore', 'swapdb', 'move', 'xdel', 'xtrim', 'acl', 'replicaof', 'slaveof', 'cluster', 'module']);
const REDIS_READ = new Set(['get', 'mget', 'keys', 'scan', 'exists', 'ttl', 'pttl', 'type', 'info', 'ping', 'hget', 'hgetall', 'hkeys', 'lrange', 'llen', 'smembers', 'scard', 'zrange', 'zcard', 'dbsize', 'monitor', 'strlen', 'memory', 'client', 'time', 'echo', 'xrange', 'xlen', 'hlen', 'sismember']);

export function runDbCli(name: string, args: ShWord[], ctx: Ctx, stdin: Stdin): void {
  const t = args.map((a) => a.text);
  if (t.length === 1 && /^(--version|-V|--help|-h|-v|-\?)$/.test(t[0]!)) {
    plain(ctx, name, 'read', 'read', `${name} ${t[0]}`);
    return;
  }
  if (name === 'redis-cli' || name === 'valkey-cli') {
    const withArg = new Set(['-h', '-p', '-a', '-n', '-u', '-s', '--user', '--pass', '-r', '-i', '--tls-cert', '--cacert']);
    let i = 0;
    while (i < t.length && t[i]!.startsWith('-')) i += withArg.has(t[i]!) ? 2 : 1;
    const cmd = t[i]?.toLowerCase();
    if (cmd === undefined) {
      if (stdin.kind !== 'none') plain(ctx, name, 'write', 'irreversible', `${name} runs commands from stdin`, { network: true });
      else plain(ctx, name, 'read', 'read', `${name} interactive`, { network: true });
      return;
    }
    if (REDIS_READ.has(cmd)) plain(ctx, name, 'read', 'read', `redis ${cmd.toUpperCase()}`, { network: true });
    else plain(ctx, name, REDIS_DESTRUCTIVE.has(cmd) ? 'delete' : 'write', 'irreversible', `redis ${cmd.toUpperCase()} changes or deletes data`, { network: true });
    return;
  }
  if (name === 'mongosh' || name === 'mongo') {
    const ev = t.findIndex((a) => a === '--eval');
    const code = ev >= 0 ? t[ev + 1] ?? '' : stdin.kind === 'text' ? stdin.text : '';
    if (/\b(drop\w*|delete\w*|remove|update\w*|insert\w*|replace\w*|rename\w*|bulkWrite|createIndex|eval)\s*\(/.test(code) || (!code && stdin.kind === 'pipe')) plain(ctx, name, 'write', 'irreversible', `${name} changes or deletes data`, { network: true });
    else plain(ctx, name, 'read', 'read', `${name} query`, { network: true });
    return;
  }
  const start = ctx.effects.length;
  const dialect: Dialect = name === 'psql' ? 'postgres' : name === 'sqlite3' || name === 'sqlite' ? 'sqlite' : 'mysql';
  const sqls: string[] = [];
  let file: string | undefined;
  const sqlFlags = dialect === 'postgres' ? ['-c', '--command'] : dialect === 'mysql' ? ['-e', '--execute'] : ['-cmd'];
  const withArg = new Set(['-h', '--host', '-p', '-P', '--port', '-U', '-u', '--user', '--username', '-d', '--dbname', '-D', '--database', '-v', '--set', '-o', '--output', '--default-character-set', '-S', '--socket', '-init', '-separator', '-nullvalue']);
  const pos: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    const [opt] = a.split('=', 1) as [string];
    if (sqlFlags.includes(opt)) {
      sqls.push(a.includes('=') ? a.slice(opt.length + 1) : t[++i] ?? '');
    } else if (opt === '-f' || opt === '--file') file = a.includes('=') ? a.slice(opt.length + 1) : t[++i];
    else if (a.startsWith('-')) {
      if (withArg.has(opt) && !a.includes('=') && !(dialect === 'mysql' && opt === '-p')) i++;
    } else pos.push(a);
  }
  if (dialect === 'sqlite' && pos.length >= 2) sqls.push(pos.slice(1).join(' '));
  if (file) sqlFile(ctx, name, file, sqls);
  if (stdin.kind === 'text') sqls.push(stdin.text);
  else if (stdin.kind === 'file') sqlFile(ctx, name, stdin.path, sqls, true);
  else if (stdin.kind === 'pipe') plain(ctx, name, 'write', 'irreversible', `${name} runs SQL read from a pipe`);
  for (const s of sqls) sqlEffects(s, dialect, ctx, name);
  if (sqls.length === 0 && !file && stdin.kind === 'none') plain(ctx, name, 'read', 'read', `${name} interactive session`, { network: dialect !== 'sqlite' });
  // The database file is a path like any other (Airlock's own ledger, a secrets store…): T48.
  if (dialect === 'sqlite' && pos[0] && pos[0] !== ':memory:') {
    const changes = ctx.effects.slice(start).some((e) => e.kind !== 'read');
    pathEffect(ctx, changes ? 'write' : 'read', args.find((a) => a.text === pos[0]) ?? lit(pos[0]), name, ' (database file)');
  }
}

/**
 * A SQL file run by a database client (`psql -f q.sql`, `sqlite3 db < schema.sql`): its statements
 * are judged like `-c` text, and the verdict is bound to the file's content hash. A file this line
 * or this run's agent wrote, one that cannot be read, or one too large stays a write nobody judged.
 */
function sqlFile(ctx: Ctx, name: string, path: string, sqls: string[], redirected = false): void {
  // A `< file` redirect has recorded its read already.
  if (!redirected) pathEffect(ctx, 'read', lit(path), name);
  const abs = /[$`]/.test(path) ? undefined : resolveFrom(ctx, path);
  if (abs === undefined) return plain(ctx, name, 'write', 'irreversible', `${name} runs the SQL file ${path}, which Airlock cannot resolve`);
  const origin = originOf(ctx, abs);
  if (origin) return plain(ctx, name, 'write', 'irreversible', `${name} runs the SQL file ${path}, ${origin}: statements the agent wrote are not the project's`);
  const r = readForJudging(ctx, abs, MAX_SCRIPT_BYTES);
  if (r.ok) {
    sqls.push(r.text);
    return;
  }
  if (r.error === 'missing' && missingMeansFailure(ctx, abs)) return plain(ctx, name, 'read', 'read', `${name}: the SQL file ${path} does not exist (the command fails, nothing runs)`);
  plain(ctx, name, 'write', 'irreversible', `${name} runs the SQL file ${path} (${describeReadError(r)}: its statements cannot be judged)`);
}

export function runMysqladmin(args: ShWord[], ctx: Ctx): void {
  const verbs = args.map((a) => a.text.toLowerCase()).filter((a) => !a.startsWith('-'));
  if (verbs.some((v) => ['drop', 'shutdown', 'flush-logs', 'flush-hosts', 'purge', 'kill', 'password', 'reload', 'refresh'].includes(v))) plain(ctx, 'mysqladmin', 'delete', 'irreversible', `mysqladmin ${verbs.join(' ')}`);
  else plain(ctx, 'mysqladmin', 'read', 'read', `mysqladmin ${verbs.join(' ')}`);
}
