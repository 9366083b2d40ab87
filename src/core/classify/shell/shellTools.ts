/**
 * Tool tables: which programs only read, what package managers, container and cloud CLIs do per
 * verb, and a general verb rule for CLIs with subcommands (delete/destroy/purge… = irreversible
 * remote mutation; list/get/describe… = read). Unknown programs are `recoverable`, not exec.
 */
import type { Reversibility } from '../../effects.js';
import { execUnknown, network, pathEffect, plain, type Ctx } from './shellContext.js';
import type { ScriptRunner, Stdin } from './shellDispatch.js';
import { FILE_TOOLS } from './shellFiles.js';
import { runGit } from './shellGit.js';
import { runCopyRemote, runCurl, runDbCli, runInContainer, runMysqladmin, runSsh } from './shellRemote.js';
import type { ShWord } from './shellWords.js';

/** Programs that only read (or print) whatever their arguments. */
export const READ_ONLY = new Set(
  ('ls ll la dir cat bat less more head tail grep egrep fgrep rg ag ack echo printf wc sort uniq cut tr diff cmp comm file stat du df free uptime ' +
    'pwd whoami id hostname uname date cal env printenv which whereis type hash man info help apropos whatis test [ [[ true false : ' +
    'basename dirname realpath readlink tree fd jq yq column nl tac rev fold fmt paste join expand unexpand od hexdump xxd strings base64 base32 md5sum sha1sum sha256sum sha512sum cksum ' +
    'seq sleep yes tput clear history jobs ps top htop pgrep lsof netstat ss ifconfig ping traceroute dig nslookup host whois ' +
    'locale nproc lscpu lsblk lsusb lspci mount findmnt getent groups last w who tty stty wait cd pushd popd dirs exit return break continue shift set unset export alias unalias read local declare readonly shopt ' +
    'git-lfs gitk tig gzip-l zcat zless bzcat xzcat nm objdump ldd otool tldr cowsay fortune lolcat figlet watchman-list stty git-status').split(/\s+/),
);

/** Read-only programs whose operands are files: a secret file among them flags the read (T42, T48). */
const FILE_READERS = new Set('cat head tail less more bat grep egrep fgrep rg ag ack jq yq strings xxd od hexdump base64 base32 sort uniq cut wc diff cmp comm tac nl fold paste column md5sum sha1sum sha256sum sha512sum cksum file stat zcat bzcat xzcat tr'.split(' '));

/** Programs that only change the session or print: a few with a twist handled elsewhere. */
const SAFE_DEV = new Set(['cd', 'export', 'set', 'unset', 'alias', 'source']);
void SAFE_DEV;

const DESTRUCTIVE_VERBS = new Set(
  ('delete del rm remove destroy purge drop terminate revoke undeploy uninstall prune wipe erase truncate flush rollback forget compact cleanup deregister ' +
    'unregister reset cancel refund void detach evict drain untag unpublish yank expire disassociate rotate roll kill shutdown reboot restore archive overwrite ' +
    'batch-delete force-delete unlock nuke clear stop disable-key deactivate close').split(/\s+/),
);
const READ_VERBS = new Set(
  ('list ls get describe show status info inspect view search browse whoami version help check diff plan validate lint ping tail logs log query evaluate eval-flag ' +
    'report lsl lsd snapshots config convert format fmt parse top explain history stats export-dry head cat tree find verify test dry-run preview output outputs ' +
    'graph providers print read watch events auth login account accounts whoami current doctor env-list download fetch pull bench sub subscribe consume ' +
    'quota usage metrics estimate can-i api-resources api-versions cluster-info completion docs template').split(/\s+/),
);

/** CLIs whose subcommands act on remote services (their mutations are network effects). */
const REMOTE_CLIS = new Set(
  ('aws gcloud gsutil bq az azcopy doctl linode-cli hcloud oci ibmcloud flyctl fly heroku vercel netlify wrangler firebase supabase railway render ' +
    'stripe vault doppler op bw infisical gh glab hub tea kubectl oc helm helmfile kustomize terraform tofu terragrunt pulumi cdk sam serverless eksctl ' +
    'apigeecli deck kong fastly circleci ldcli split unleash flipt nats rabbitmqctl rabbitmqadmin kafka-topics kafka-consumer-groups kafka-acls kafka-configs ' +
    'datadog-ci newrelic pd splunk algolia meilisearch rclone restic borg velero mc s3cmd minio-client twilio sendgrid mailgun square braintree grafana-cli ' +
    'consul nomad etcdctl redis-cli influx prom promtool amtool gitlab-rake jenkins-cli argocd flux skaffold tilt nsupdate mongosh elasticsearch opensearch curl wget').split(/\s+/),
);

const HELP = /^(--help|-h|--version|-V|-v|help|version|--usage)$/;

type ArgvRunner = (argv: ShWord[]) => void;

const MUTATION_VERB = /^(create|update|put|set|apply|deploy|run|start|add|send|publish|write|import|upload|push|post|patch|scale|replace|edit|enable|disable|exec|rollout|install|upgrade|mutate|invoke|modify|attach|associate|register|tag|label|annotate|restart|move|rename|copy|cp|mv|sync|alter|activate|promote|pub|request|backup|trigger|approve|merge|release|submit|import|create-\w+)([-_].*)?$/;

/** Package managers: install = recoverable; publish = irreversible network; run = project code. */
const PKG: Record<string, { install: string[]; remove: string[]; publish: string[]; run: string[]; dlx: string[]; global: boolean }> = {
  npm: { install: ['install', 'i', 'ci', 'update', 'up', 'add', 'link', 'dedupe', 'rebuild', 'prune', 'init', 'audit'], remove: ['uninstall', 'remove', 'rm', 'un', 'unlink'], publish: ['publish', 'unpublish', 'deprecate', 'dist-tag', 'owner', 'access', 'token', 'adduser', 'logout'], run: ['run', 'run-script', 'test', 't', 'start', 'stop', 'restart', 'exec', 'x', 'rb'], dlx: ['exec', 'x'], global: false },
  pnpm: { install: ['install', 'i', 'add', 'update', 'up', 'link', 'prune', 'rebuild', 'fetch', 'import', 'init'], remove: ['remove', 'rm', 'uninstall', 'un', 'unlink'], publish: ['publish', 'unpublish', 'deprecate'], run: ['run', 'test', 't', 'start', 'exec'], dlx: ['dlx'], global: false },
  yarn: { install: ['install', 'add', 'upgrade', 'up', 'link', 'import', 'init'], remove: ['remove', 'unlink'], publish: ['publish', 'npm'], run: ['run', 'test', 'start', 'exec', 'node'], dlx: ['dlx'], global: false },
  bun: { install: ['install', 'i', 'add', 'update', 'link', 'init'], remove: ['remove', 'rm', 'unlink'], publish: ['publish'], run: ['run', 'test', 'x'], dlx: ['x'], global: false },
  pip: { install: ['install', 'download', 'wheel'], remove: ['uninstall'], publish: [], run: [], dlx: [], global: true },
  uv: { install: ['add', 'sync', 'lock', 'venv', 'init', 'pip'], remove: ['remove'], publish: ['publish'], run: ['run'], dlx: ['tool'], global: false },
  poetry: { install: ['install', 'add', 'update', 'lock', 'init', 'new'], remove: ['remove'], publish: ['publish'], run: ['run', 'shell'], dlx: [], global: false },
  cargo: { install: ['build', 'b', 'check', 'c', 'add', 'update', 'fetch', 'install', 'new', 'init', 'fmt', 'clippy', 'doc', 'bench', 'generate-lockfile', 'vendor', 'clean'], remove: ['remove', 'rm', 'uninstall'], publish: ['publish', 'yank', 'owner', 'login', 'logout'], run: ['run', 'r', 'test', 't'], dlx: [], global: false },
  gem: { install: ['install', 'update', 'build', 'fetch'], remove: ['uninstall', 'cleanup'], publish: ['push', 'yank', 'owner'], run: [], dlx: [], global: true },
  go: { install: ['build', 'install', 'get', 'mod', 'generate', 'fmt', 'vet', 'work', 'clean'], remove: [], publish: [], run: ['run', 'test'], dlx: [], global: false },
  composer: { install: ['install', 'require', 'update', 'dump-autoload'], remove: ['remove'], publish: [], run: ['run-script', 'run', 'exec'], dlx: [], global: false },
  apt: { install: ['install', 'update', 'upgrade', 'full-upgrade', 'dist-upgrade', 'reinstall'], remove: ['remove', 'purge', 'autoremove', 'clean', 'autoclean'], publish: [], run: [], dlx: [], global: true },
  brew: { install: ['install', 'upgrade', 'update', 'tap', 'reinstall', 'link'], remove: ['uninstall', 'remove', 'rm', 'cleanup', 'untap', 'unlink'], publish: [], run: [], dlx: [], global: true },
  mvn: { install: ['install', 'package', 'compile', 'verify', 'clean', 'validate', 'dependency:tree', 'dependency:resolve'], remove: [], publish: ['deploy', 'release:perform', 'release:prepare', 'deploy:deploy-file'], run: ['test', 'exec:java', 'spring-boot:run'], dlx: [], global: false },
  gradle: { install: ['build', 'assemble', 'compileJava', 'clean', 'check', 'dependencies', 'tasks'], remove: [], publish: ['publish', 'publishToMavenCentral', 'uploadArchives', 'publishPlugins'], run: ['test', 'run', 'bootRun'], dlx: [], global: false },
  twine: { install: ['check'], remove: [], publish: ['upload', 'register'], run: [], dlx: [], global: false },
  dotnet: { install: ['build', 'restore', 'add', 'new', 'publish', 'pack', 'clean', 'format', 'tool'], remove: ['remove'], publish: ['nuget'], run: ['run', 'test', 'watch'], dlx: [], global: false },
};
const PKG_ALIAS: Record<string, string> = { pip3: 'pip', pipx: 'pip', 'apt-get': 'apt', yum: 'apt', dnf: 'apt', pacman: 'apt', zypper: 'apt', apk: 'apt', port: 'apt', mvnw: 'mvn', gradlew: 'gradle', npx: 'npx', pnpx: 'npx', bunx: 'npx', uvx: 'npx' };

function runPkg(name: string, args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  if (name === 'npx') {
    execUnknown(ctx, name, `${name} downloads (if needed) and runs package ${t.find((a) => !a.startsWith('-')) ?? ''}`, 'recoverable');
    return;
  }
  const spec = PKG[name]!;
  const verb = t.find((a) => !a.startsWith('-'))?.toLowerCase();
  const source = `${name} ${verb ?? ''}`.trim();
  if (verb === undefined) {
    plain(ctx, name, name === 'yarn' || name === 'poetry' ? 'write' : 'read', name === 'yarn' ? 'recoverable' : 'read', `${name}${name === 'yarn' ? ' installs dependencies' : ''}`);
    return;
  }
  if (spec.publish.includes(verb) || (name === 'npm' && verb === 'publish')) {
    if (t.some((a) => a === '--dry-run')) plain(ctx, source, 'read', 'read', `${source} --dry-run`);
    else network(ctx, source, 'irreversible', `${source}: publishes to a registry (cannot be taken back)`);
    return;
  }
  if (spec.remove.includes(verb)) {
    plain(ctx, source, 'delete', 'recoverable', `${source}: removes packages (reinstall to undo)`, spec.global || t.some((a) => a === '-g' || a === '--global') ? { outsideWorkspace: true } : {});
    return;
  }
  if (spec.dlx.includes(verb) && name !== 'npm') {
    execUnknown(ctx, source, `${source} downloads and runs a package`, 'recoverable');
    return;
  }
  if (spec.install.includes(verb)) {
    const global = spec.global || t.some((a) => a === '-g' || a === '--global');
    plain(ctx, source, 'write', 'recoverable', `${source}: installs or builds (runs package lifecycle scripts)`, global ? { outsideWorkspace: true } : {});
    return;
  }
  // run/test/start and project scripts: the project's own code.
  plain(ctx, source, 'exec', 'recoverable', `${source}: runs the project's own scripts or tasks`);
}

/** Verb-by-verb rules for a few CLIs where the general verb rule is not enough. */
function containerRule(name: string, t: string[]): { rev: Reversibility; kind: 'read' | 'delete' | 'process' | 'write' | 'network'; detail: string } | undefined {
  const pos = t.filter((a) => !a.startsWith('-')).map((a) => a.toLowerCase());
  const [v1 = '', v2 = ''] = pos;
  const force = t.some((a) => a === '--force' || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(a));
  const vol = t.some((a) => a === '-v' || a === '--volumes' || /^-[a-zA-Z]*v[a-zA-Z]*$/.test(a));
  if (name === 'docker' || name === 'podman' || name === 'nerdctl') {
    if (['ps', 'images', 'inspect', 'logs', 'version', 'info', 'stats', 'top', 'events', 'history', 'search', 'port', 'diff', 'login'].includes(v1)) return { rev: 'read', kind: 'read', detail: `${name} ${v1}` };
    if ((v1 === 'rm' || v1 === 'rmi' || v1 === 'container' && v2 === 'rm' || v1 === 'image' && v2 === 'rm')) return force || vol ? { rev: 'irreversible', kind: 'delete', detail: `${name} ${v1} force-removes (running state or volumes are lost)` } : { rev: 'recoverable', kind: 'delete', detail: `${name} ${v1} removes a stopped container or image (can be recreated)` };
    if (v2 === 'prune' || v1 === 'prune' || (v1 === 'volume' && (v2 === 'rm' || v2 === 'remove'))) return { rev: 'irreversible', kind: 'delete', detail: `${name} ${v1} ${v2} deletes containers, images or volumes` };
    if (v1 === 'compose' && v2 === 'down') return vol ? { rev: 'irreversible', kind: 'delete', detail: 'compose down -v deletes volumes' } : { rev: 'recoverable', kind: 'process', detail: 'compose down stops and removes containers' };
    if (['kill', 'stop', 'restart', 'pause'].includes(v1)) return { rev: 'recoverable', kind: 'process', detail: `${name} ${v1}` };
    if (v1 === 'push') return { rev: 'recoverable', kind: 'network', detail: `${name} push uploads an image to a registry` };
    return { rev: 'recoverable', kind: 'process', detail: `${name} ${v1} ${v2}`.trim() };
  }
  return undefined;
}

export function runTool(name: string, args: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner, run: ArgvRunner): void {
  const t = args.map((a) => a.text);
  if (READ_ONLY.has(name)) {
    plain(ctx, name, 'read', 'read', `${name} only reads`);
    if (FILE_READERS.has(name)) {
      for (const a of args) if (!a.text.startsWith('-') && (a.text.includes('/') || a.text.includes('.'))) {
        const before = ctx.effects.length;
        pathEffect(ctx, 'read', a, name);
        const e = ctx.effects[before];
        if (e && !e.secrets) ctx.effects.length = before;
      }
    }
    return;
  }
  if (name === 'git') return runGit(args, ctx);
  const file = FILE_TOOLS[name];
  if (file) {
    if (t.some((a) => a === '--help' || a === '--version')) return plain(ctx, name, 'read', 'read', `${name} help`);
    return file(args, ctx, run);
  }
  if (t.length === 1 && HELP.test(t[0]!)) return plain(ctx, name, 'read', 'read', `${name} ${t[0]}`);
  if (t.some((a) => a === '--help' || /^--dry-?run(=|$)/.test(a) || a === '--dryrun')) return plain(ctx, name, 'read', 'read', `${name} help or dry run`);
  if (name === 'curl' || name === 'wget' || name === 'http' || name === 'https' || name === 'xh') return runCurl(name, args, ctx);
  if (name === 'ssh') return runSsh(args, ctx, runScript, stdin);
  if (name === 'scp' || name === 'rsync') return runCopyRemote(name, args, ctx);
  if (['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'redis-cli', 'valkey-cli', 'mongosh', 'mongo'].includes(name)) return runDbCli(name, args, ctx, stdin);
  if (name === 'mysqladmin') return runMysqladmin(args, ctx);
  if (name === 'dropdb' || name === 'dropuser') return plain(ctx, name, 'delete', 'irreversible', `${name} drops a database or role`);
  if ((name === 'docker' || name === 'podman' || name === 'nerdctl') && (t[0] === 'exec' || (t[0] === 'container' && t[1] === 'exec'))) {
    return runInContainer(name, args.slice(t[0] === 'exec' ? 1 : 2), ctx, runScript, new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--env-file']));
  }
  if (name === 'kubectl' && t.includes('exec')) return runInContainer('kubectl', args.slice(t.indexOf('exec') + 1), ctx, runScript, new Set(['-c', '--container', '-n', '--namespace']));
  const pkg = PKG_ALIAS[name] ?? (PKG[name] ? name : undefined);
  if (pkg) return runPkg(pkg, args, ctx);
  const cont = containerRule(name === 'docker-compose' ? 'docker' : name, name === 'docker-compose' ? ['compose', ...t] : t);
  if (cont) return plain(ctx, name, cont.kind, cont.rev, cont.detail, cont.kind === 'read' ? {} : { outsideWorkspace: cont.rev !== 'recoverable' || cont.kind === 'network' ? true : undefined, network: cont.kind === 'network' || undefined });
  if (name === 'airlock') {
    // Airlock's own CLI: reading the ledger or checking an action is a read; anything that changes
    // Airlock's controls (raise a budget, un-latch the kill switch, (un)install hooks, accept ledger
    // incidents, start a gate) is a person's act, never the supervised agent's.
    const sub = t.filter((a) => !a.startsWith('-'));
    const readOnly = (sub[0] === 'check' || sub[0] === 'log' || sub[0] === 'status' || (sub[0] === 'verify' && !t.includes('--accept')) || (sub[0] === 'policy' && /^(validate|explain|schema)$/.test(sub[1] ?? '')) || (sub[0] === 'budget' && sub[1] === 'show') || (sub[0] === 'hooks' && sub[1] === 'status'));
    if (readOnly) return plain(ctx, name, 'read', 'read', `airlock ${sub.slice(0, 2).join(' ')}`);
    return plain(ctx, name, 'write', 'irreversible', `airlock ${sub.slice(0, 2).join(' ')}: changes Airlock's own controls (only a person may)`, { securityConfig: true, outsideWorkspace: true });
  }
  if (name === 'kill' || name === 'pkill' || name === 'killall') return plain(ctx, name, 'process', 'recoverable', `${name} signals processes`);
  if (name === 'systemctl' || name === 'service' || name === 'launchctl') {
    const verb = t.filter((a) => !a.startsWith('-')).map((a) => a.toLowerCase()).find((v) => /^(status|show|list-units|list-unit-files|is-active|is-enabled|cat|list)$/.test(v) || /^(start|stop|restart|reload|enable|disable|mask|unmask|kill|daemon-reload|load|unload|bootout|remove)$/.test(v));
    if (verb === undefined || /^(status|show|list|list-units|list-unit-files|is-active|is-enabled|cat)$/.test(verb)) return plain(ctx, name, 'read', 'read', `${name} ${verb ?? ''}`);
    return plain(ctx, name, 'process', 'recoverable', `${name} ${verb}: changes a system service`, { outsideWorkspace: true, securityConfig: /enable|load/.test(verb) ? true : undefined });
  }
  if (name === 'crontab') {
    if (t.includes('-l')) return plain(ctx, name, 'read', 'read', 'crontab -l');
    return plain(ctx, name, t.includes('-r') ? 'delete' : 'write', 'irreversible', 'crontab changes scheduled jobs (persistence)', { securityConfig: true, outsideWorkspace: true });
  }
  if (name === 'ssh-keygen' || name === 'ssh-add') {
    if (t.some((a) => /^-[a-zA-Z]*[RdD]/.test(a))) return plain(ctx, name, 'delete', 'recoverable', `${name} removes keys or known hosts`, { outsideWorkspace: true, secrets: true });
    return plain(ctx, name, 'read', 'read', `${name} ${t.join(' ')}`);
  }
  if (name === 'make' || name === 'gmake' || name === 'just' || name === 'task') {
    if (t.some((a) => a === '-n' || a === '--dry-run' || a === '--just-print')) return plain(ctx, name, 'read', 'read', `${name} dry run`);
  }
  generalVerbRule(name, t, ctx);
}

/** General rule for CLIs with subcommands, so every cloud/SaaS CLI need not be listed. */
function generalVerbRule(name: string, t: string[], ctx: Ctx): void {
  const remote = REMOTE_CLIS.has(name);
  const words = t.filter((a) => !a.startsWith('-') && !a.includes('=')).slice(0, 4).map((a) => a.toLowerCase());
  const flagVerbs = t.filter((a) => /^--?[a-z][\w-]*$/i.test(a)).map((a) => a.replace(/^-+/, '').toLowerCase());
  const verbParts = (w: string): string[] => w.split(/[-_:.]/);
  const destructiveFlag = flagVerbs.find((f) => DESTRUCTIVE_VERBS.has(f.split('-')[0]!) && f !== 'force');
  const destructive = (remote ? destructiveFlag : undefined) ?? words.find((w) => DESTRUCTIVE_VERBS.has(w) || (remote && DESTRUCTIVE_VERBS.has(verbParts(w)[0]!)) || (remote && verbParts(w)[0] === 'batch' && DESTRUCTIVE_VERBS.has(verbParts(w)[1] ?? ''))) ??
    (remote ? flagVerbs.find((f) => ['delete', 'remove', 'purge', 'drop', 'destroy', 'force', 'auto-approve', 'yes'].includes(f)) : undefined);
  const isApply = remote && words.some((w) => ['apply', 'up', 'deploy', 'destroy'].includes(w)) && t.some((a) => /^-?-(auto-approve|yes|y|force)$/.test(a));
  if (destructive || isApply) {
    const what = destructive ?? 'apply';
    if (remote) network(ctx, name, 'irreversible', `${name} ${words.join(' ')}: ${what} on a remote service (no undo)`);
    else plain(ctx, name, 'delete', 'irreversible', `${name} ${words.join(' ')}: destructive subcommand ${what}`, { outsideWorkspace: true });
    return;
  }
  const first = words.find((w) => READ_VERBS.has(w) || READ_VERBS.has(verbParts(w)[0]!));
  if (first !== undefined && (words.length === 0 || words.every((w) => !MUTATION_VERB.test(w)))) {
    plain(ctx, name, 'read', 'read', `${name} ${words.join(' ')}: reads`, remote ? { network: true } : {});
    return;
  }
  const readFlag = flagVerbs.find((f) => READ_VERBS.has(f));
  if (readFlag && !flagVerbs.some((f) => MUTATION_VERB.test(f))) {
    plain(ctx, name, 'read', 'read', `${name} --${readFlag}: reads`, remote ? { network: true } : {});
    return;
  }
  if (remote && (words.some((w) => MUTATION_VERB.test(w)) || flagVerbs.some((f) => MUTATION_VERB.test(f)))) {
    network(ctx, name, 'recoverable', `${name} ${words.join(' ')}: changes state on a remote service`);
    return;
  }
  plain(ctx, name, 'process', 'recoverable', `${name}: unknown program (runs as a normal development command)`);
}
