/**
 * Tool tables: which programs only read, what package managers and cloud CLIs do per verb (the
 * container engines: shellContainers.ts), and a general verb rule for CLIs with subcommands
 * (delete/destroy/purge… = irreversible remote mutation; list/get/describe… = read). A program in
 * no table is `unknown` and asks (closed world).
 */
import { inspectPath } from '../../paths.js';
import { execUnknown, lit, network, pathEffect, plain, projectExec, unknownEffect, type Ctx } from './shellContext.js';
import { positionals } from './families/common.js';
import { containerRule } from './shellContainers.js';
import { DEV_TOOLS, type DevClass, type DevTool } from './devTools.js';
import { readSecretAware, runFamily } from './shellFamilies.js';
import type { ScriptRunner, Stdin } from './shellTypes.js';
import { FILE_TOOLS } from './shellFiles.js';
import { runGit } from './shellGit.js';
import { runCopyRemote, runCurl, runDbCli, runInContainer, runMysqladmin, runSsh } from './shellRemote.js';
import type { ShWord } from './shellWords.js';
import { signalEffect } from './signals.js';

/** Programs that only read (or print) whatever their arguments. */
export const READ_ONLY = new Set(
  ('ls ll la dir cat bat less more head tail grep egrep fgrep rg ag ack echo printf wc sort uniq cut tr diff cmp comm file stat du df free uptime ' +
    'pwd whoami id hostname uname date cal env printenv which whereis type hash man info help apropos whatis test [ [[ true false : ' +
    'basename dirname realpath readlink tree fd jq yq column nl tac rev fold fmt paste join expand unexpand od hexdump xxd strings base64 base32 md5sum sha1sum sha256sum sha512sum cksum ' +
    'seq sleep yes tput clear history jobs ps top htop pgrep lsof netstat ss ifconfig ping traceroute dig nslookup host whois ' +
    'locale nproc lscpu lsblk lsusb lspci findmnt getent groups last w who tty stty wait dirs exit return break continue shift set unset export alias unalias read local declare readonly shopt ' +
    'git-lfs gitk tig gzip-l zcat zless bzcat xzcat nm objdump ldd otool tldr cowsay fortune lolcat figlet watchman-list stty git-status').split(/\s+/),
);

/** Read-only programs whose operands are files they print, encode or hash (a secret read through them is still a secret read: T42, T48). */
const FILE_READERS = new Set(
  'cat bat less more head tail grep egrep fgrep rg ag ack wc sort uniq cut diff cmp comm nl tac rev fold fmt paste join expand unexpand od hexdump xxd strings base64 base32 jq yq column zcat zless bzcat xzcat cksum file md5sum sha1sum sha256sum sha512sum stat tr'.split(' '),
);

const DESTRUCTIVE_VERBS = new Set(
  ('delete del rm remove destroy purge drop terminate revoke undeploy uninstall prune wipe erase truncate flush rollback forget compact cleanup deregister unsubscribe ' +
    'unregister reset cancel refund void detach evict drain untag unpublish yank expire disassociate rotate roll kill shutdown reboot restore archive overwrite ' +
    'batch-delete force-delete unlock nuke clear stop disable-key deactivate close').split(/\s+/),
);
const READ_VERBS = new Set(
  ('list ls get describe show status info inspect view search browse whoami version help check checks diff plan validate lint ping tail logs log query evaluate eval-flag ' +
    'report lsl lsd snapshots config convert format fmt parse top explain history stats export-dry head cat tree find verify test dry-run preview output outputs ' +
    'graph providers print read watch events auth login account accounts whoami current doctor env-list download fetch pull bench sub subscribe consume ' +
    'quota usage metrics estimate can-i api-resources api-versions cluster-info completion docs template health healthcheck dump file size stat du hash exists url ' +
    'diagnostic diagnostics lookup env receive who-am-i whoami presign listen dev local serve server cluster_status status list_queues list_users ls-remote identity').split(/\s+/),
);

/** CLIs whose subcommands act on remote services (their mutations are network effects). */
const REMOTE_CLIS = new Set(
  ('aws gcloud gsutil bq az azcopy doctl linode-cli hcloud oci ibmcloud flyctl fly heroku vercel netlify wrangler firebase supabase railway render ' +
    'stripe vault doppler op bw infisical gh glab hub tea kubectl oc helm helmfile kustomize terraform tofu terragrunt pulumi cdk sam serverless eksctl ' +
    'apigeecli deck kong fastly circleci ldcli split unleash flipt nats rabbitmqctl rabbitmqadmin kafka-topics kafka-consumer-groups kafka-acls kafka-configs ' +
    'datadog-ci newrelic pd splunk algolia meilisearch rclone restic borg velero mc s3cmd minio-client twilio sendgrid mailgun square braintree grafana-cli ' +
    'gitlab-runner jenkins-cli kafka-delete-records kafka-broker-api-versions kafka-console-consumer kafka-console-producer kafka-reassign-partitions kafka-storage kafka-leader-election kafka-log-dirs ' +
    'consul nomad etcdctl redis-cli influx prom promtool amtool gitlab-rake jenkins-cli argocd flux skaffold tilt nsupdate mongosh elasticsearch opensearch curl wget').split(/\s+/),
);

/** Options of uv venv / virtualenv that take a value. */
const VENV_VALUE = new Set(['-p', '--python', '--prompt', '--index-url', '--extra-index-url', '--activators', '--creator', '--discovery', '--app-data', '--cache-dir', '--link-mode', '--index-strategy', '--keyring-provider', '--exclude-newer']);
const HELP = /^(--help|-h|--version|-V|-v|help|version|--usage)$/;

import type { ArgvRunner } from './shellTypes.js';

const MUTATION_VERB = /^(build|mb|clone|configure|setup|extract|mount|create|update|put|set|apply|deploy|run|start|add|send|publish|write|import|upload|push|post|patch|scale|replace|edit|enable|disable|exec|rollout|install|upgrade|mutate|invoke|modify|attach|associate|register|tag|label|annotate|restart|move|rename|copy|cp|mv|sync|alter|activate|promote|pub|request|backup|trigger|approve|merge|release|submit|import|create-\w+)([-_].*)?$/;

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
/** Manifest and lockfile a project-level package manager edits when a dependency is removed. */
const MANIFESTS: Record<string, string[]> = {
  npm: ['package.json', 'package-lock.json', 'npm-shrinkwrap.json'],
  pnpm: ['package.json', 'pnpm-lock.yaml'],
  yarn: ['package.json', 'yarn.lock'],
  bun: ['package.json', 'bun.lockb', 'bun.lock'],
  uv: ['pyproject.toml', 'uv.lock'],
  poetry: ['pyproject.toml', 'poetry.lock'],
  cargo: ['Cargo.toml', 'Cargo.lock'],
  composer: ['composer.json', 'composer.lock'],
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
    const global = spec.global || t.some((a) => a === '-g' || a === '--global');
    plain(ctx, source, 'delete', 'recoverable', `${source}: removes packages (reinstall to undo)`, global ? { outsideWorkspace: true } : {});
    // The project's manifest and lockfile are edited: a workspace write the gate checkpoints.
    if (!global) for (const f of MANIFESTS[name] ?? []) if (ctx.cwd !== undefined && ctx.env.fs.kind(`${ctx.cwd.replace(/\/$/, '')}/${f}`) === 'file') pathEffect(ctx, 'write', f, source, ' (removes the dependency from it)');
    return;
  }
  if (spec.dlx.includes(verb) && name !== 'npm') {
    execUnknown(ctx, source, `${source} downloads and runs a package`, 'recoverable');
    return;
  }
  if (spec.install.includes(verb)) {
    let global = spec.global || t.some((a) => a === '-g' || a === '--global');
    // pip installs into the active Python environment: a virtual environment inside the workspace
    // (VIRTUAL_ENV, or `source .venv/bin/activate` earlier in the line) or a --target folder.
    if (name === 'pip' && !t.includes('--user')) {
      const venv = ctx.vars.get('VIRTUAL_ENV') ?? ctx.env.vars.VIRTUAL_ENV;
      const target = t.findIndex((a) => a === '-t' || a === '--target' || a === '--prefix');
      const where = target >= 0 ? t[target + 1] : venv;
      if (where && inspectPath(where, ctx.env).insideWorkspace) global = false;
      // The project's own declared dependencies (`-r requirements.txt`, `-e .`) are like `npm ci`:
      // the ordinary way to set the project up, undone by uninstalling. Naming packages asks.
      const pos = t.slice(t.indexOf(verb) + 1);
      const named = pos.filter((a, i) => !a.startsWith('-') && !/^(-r|--requirement|-c|--constraint|-e|--editable)$/.test(pos[i - 1] ?? ''));
      const files = pos.filter((a, i) => /^(-r|--requirement|-c|--constraint|-e|--editable)$/.test(pos[i - 1] ?? '') || /^(--requirement|--constraint|--editable)=/.test(a));
      if (verb === 'install' && named.length === 0 && files.length > 0 && files.every((f) => inspectPath(f.replace(/^--\w+=/, ''), ctx.env).insideWorkspace)) global = false;
    }
    // cargo install and go install put a program into the user's own bin folder (~/.cargo/bin,
    // ~/go/bin) unless --root / GOBIN says otherwise: outside the workspace, like npm -g.
    if (verb === 'install' && (name === 'cargo' || name === 'go')) {
      const rootAt = t.indexOf('--root');
      const root = name === 'cargo' ? (rootAt >= 0 ? t[rootAt + 1] : undefined) : (ctx.vars.get('GOBIN') ?? ctx.env.vars.GOBIN);
      if (!root || !inspectPath(root, ctx.env).insideWorkspace) global = true;
    }
    const foreign = foreignSource(name, verb, t);
    if (foreign) {
      execUnknown(ctx, source, `${source} installs and runs code from ${foreign}: not a package of the project's registry (its install or build scripts run here)`, 'recoverable');
      return;
    }
    plain(ctx, source, 'write', 'recoverable', `${source}: installs or builds (runs package lifecycle scripts)`, global ? { outsideWorkspace: true } : {});
    return;
  }
  // run/test/start and project scripts: the project's own code (in the directory it runs in).
  projectExec(ctx, source, `${source}: runs the project's own scripts or tasks`);
}

/** Options that point a package manager at another registry, index or repository (their value). */
const SOURCE_OPTS = /^(--registry|--index-url|--extra-index-url|-i|--find-links|-f|--git|--repository|--source|--index)$/;
const SOURCE_OPTS_EQ = /^(--registry|--index-url|--extra-index-url|--find-links|--git|--repository|--source|--index)=(.+)$/;
/** A package spec that is code from a URL, a git repository or a hosted-git shorthand, not a registry name. */
const FOREIGN_SPEC = /^(?:https?:\/\/|git\+|git:\/\/|ssh:\/\/|git@|github:|gitlab:|bitbucket:|gist:)|\.git(?:#.*)?$|^[^@/\s]+@(?:https?|git\+|git|file):/;

/**
 * Where an install takes its code from, when it is not the registry the project uses: a URL or git
 * spec (`npm i https://host/p.tgz`, `pnpm add github:a/b`, `pip install git+https://…`), npm's
 * `user/repo` GitHub shorthand, or another registry or index (`--registry`, `--index-url`, `-i`,
 * `cargo install --git`). Undefined for ordinary names, lockfile installs and local paths.
 */
function foreignSource(name: string, verb: string | undefined, t: readonly string[]): string | undefined {
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    if (a === verb) continue;
    const eq = SOURCE_OPTS_EQ.exec(a);
    if (eq) return eq[2];
    if (SOURCE_OPTS.test(a) && i + 1 < t.length) {
      // pip -f / -i, cargo/npm --registry NAME: a configured registry name is not a URL; a URL is.
      const v = t[i + 1]!;
      if (/:\/\//.test(v) || a === '--git') return v;
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    if (FOREIGN_SPEC.test(a)) return a;
    if ((name === 'npm' || name === 'pnpm' || name === 'yarn' || name === 'bun') && /^[\w.-]+\/[\w.-]+(?:#\S*)?$/.test(a) && !a.startsWith('.')) return `${a} (a GitHub repository)`;
  }
  return undefined;
}

export function runTool(name: string, args: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner, run: ArgvRunner): void {
  const t = args.map((a) => a.text);
  if (READ_ONLY.has(name)) {
    plain(ctx, name, 'read', 'read', `${name} only reads`);
    if (FILE_READERS.has(name)) for (const a of args) if (!a.text.startsWith('-') && a.text.length < 4096) readSecretAware(ctx, a, name);
    return;
  }
  if (name === 'git') return runGit(args, ctx);
  if (runFamily(name, args, ctx, runScript, run)) return;
  const file = FILE_TOOLS[name];
  if (file) {
    if (t.some((a) => a === '--help' || a === '--version')) return plain(ctx, name, 'read', 'read', `${name} help`);
    return file(args, ctx, run);
  }
  if (t.length === 1 && HELP.test(t[0]!)) return plain(ctx, name, 'read', 'read', `${name} ${t[0]}`);
  if (t.some((a) => a === '--help' || /^--dry-?run(=|$)/.test(a) || a === '--dryrun')) return plain(ctx, name, 'read', 'read', `${name} help or dry run`);
  if (name === 'curl' || name === 'wget' || name === 'http' || name === 'https' || name === 'xh') return runCurl(name, args, ctx, stdin);
  if (name === 'ssh') return runSsh(args, ctx, runScript, stdin);
  if (name === 'scp' || name === 'rsync') return runCopyRemote(name, args, ctx);
  if (['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'redis-cli', 'valkey-cli', 'mongosh', 'mongo'].includes(name)) return runDbCli(name, args, ctx, stdin);
  if (name === 'mysqladmin') return runMysqladmin(args, ctx);
  if (name === 'dropdb' || name === 'dropuser') return plain(ctx, name, 'delete', 'irreversible', `${name} drops a database or role`);
  if ((name === 'docker' || name === 'podman' || name === 'nerdctl') && (t[0] === 'exec' || (t[0] === 'container' && t[1] === 'exec'))) {
    return runInContainer(name, args.slice(t[0] === 'exec' ? 1 : 2), ctx, runScript, new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--env-file']));
  }
  if (name === 'kubectl' && t.includes('exec')) return runInContainer('kubectl', args.slice(t.indexOf('exec') + 1), ctx, runScript, new Set(['-c', '--container', '-n', '--namespace']));
  // A virtual environment: a folder of the tool's own files (`uv venv` defaults to .venv).
  if ((name === 'uv' && t[0] === 'venv') || name === 'virtualenv') {
    const dir = positionals(name === 'uv' ? args.slice(1) : args, VENV_VALUE)[0] ?? lit(name === 'uv' ? '.venv' : '.');
    return pathEffect(ctx, 'write', dir, name === 'uv' ? 'uv venv' : 'virtualenv', ': creates a virtual environment');
  }
  const pkg = PKG_ALIAS[name] ?? (PKG[name] ? name : undefined);
  if (pkg) return runPkg(pkg, args, ctx);
  const cont = containerRule(name === 'docker-compose' ? 'docker' : name, name === 'docker-compose' ? ['compose', ...t] : t);
  if (cont) return plain(ctx, name, cont.kind, cont.rev, cont.detail, cont.kind === 'read' ? {} : { outsideWorkspace: cont.rev !== 'recoverable' || cont.kind === 'network' || cont.outside ? true : undefined, network: cont.kind === 'network' || undefined });
  if (name === 'nsupdate') return network(ctx, name, 'irreversible', `nsupdate sends dynamic DNS updates${t.includes('-l') ? ' to the local server' : ''} (records change for everyone)`);
  if (name === 'airlock') {
    // Airlock's own CLI: reading the ledger or checking an action is a read; anything that changes
    // Airlock's controls (raise a budget, un-latch the kill switch, (un)install hooks, accept ledger
    // incidents, start a gate) is a person's act, never the supervised agent's.
    const sub = t.filter((a) => !a.startsWith('-'));
    const readOnly = (sub[0] === 'check' || sub[0] === 'log' || sub[0] === 'status' || (sub[0] === 'verify' && !t.includes('--accept')) || (sub[0] === 'policy' && /^(validate|explain|schema)$/.test(sub[1] ?? '')) || (sub[0] === 'budget' && sub[1] === 'show') || (sub[0] === 'hooks' && sub[1] === 'status'));
    if (readOnly) return plain(ctx, name, 'read', 'read', `airlock ${sub.slice(0, 2).join(' ')}`);
    return plain(ctx, name, 'write', 'irreversible', `airlock ${sub.slice(0, 2).join(' ')}: changes Airlock's own controls (only a person may)`, { securityConfig: true, outsideWorkspace: true });
  }
  if (name === 'kill' || name === 'pkill' || name === 'killall' || name === 'killall5') {
    const v = signalEffect(name, t);
    return plain(ctx, name, v.kind, v.rev, v.detail, v.rev === 'irreversible' ? { outsideWorkspace: true } : {});
  }
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
    if (t.some((a) => a === '-n' || a === '--dry-run' || a === '--just-print' || a === '--recon')) return plain(ctx, name, 'read', 'read', `${name} dry run`);
    return projectExec(ctx, name, `${name} ${t.filter((a) => !a.startsWith('-')).join(' ')}: runs the project's own recipes`.replace(/ :/, ':'));
  }
  if (name === 'java' && t[0] === '-jar' && t[1]) {
    // A jar run as a program: judged by its name (jenkins-cli.jar is jenkins-cli); otherwise unknown code.
    const jar = t[1].replace(/^.*\//, '').replace(/\.jar$/i, '').replace(/-\d[\w.]*$/, '').toLowerCase();
    if (REMOTE_CLIS.has(jar)) return generalVerbRule(jar, t.slice(2).filter((a, i, all) => !(a.startsWith('-') || (all[i - 1]?.startsWith('-') && /^-[a-z]$/.test(all[i - 1]!)))), ctx);
    return unknownEffect(ctx, 'java', `java -jar ${t[1]}: a compiled program Airlock cannot read`);
  }
  if (name === 'java' || name === 'dotnet-script') {
    if (t.some((a) => /^-{1,2}(version|help|showversion)$/.test(a)) && t.length <= 2) return plain(ctx, name, 'read', 'read', `${name} ${t.join(' ')}`);
  }
  const dev = DEV_TOOLS[name];
  if (dev) return devToolEffect(name, dev, args, ctx);
  generalVerbRule(name, t, ctx);
}

const DEV_HELP = /^(-h|--help|-V|--version|-version|help|version)$/;

/** Effects of a known development tool (table in devTools.ts). */
export function devToolEffect(name: string, spec: DevTool, args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  if (t.length >= 1 && t.length <= 2 && t.some((a) => DEV_HELP.test(a)) && !spec.sub?.[t[0]!.toLowerCase()]) return plain(ctx, name, 'read', 'read', `${name} ${t.join(' ')}`);
  let cls: DevClass = spec.cls;
  const verb = t.find((a) => !a.startsWith('-'))?.toLowerCase();
  if (spec.sub) cls = verb === undefined ? (spec.cls === 'unknown' ? 'unknown' : spec.cls) : spec.sub[verb] ?? spec.other ?? 'unknown';
  const flag = (list: string[] | undefined): boolean => !!list?.some((f) => t.some((a) => a === f || a.startsWith(f + '=')));
  if (flag(spec.checks)) cls = cls === 'unknown' ? 'read' : cls === 'publish' ? 'read' : 'check';
  else if (flag(spec.writes) && (cls === 'check' || cls === 'read')) cls = 'format';
  for (let i = 0; i < t.length; i++) {
    const o = spec.out?.find((x) => t[i] === x || t[i]!.startsWith(x + '='));
    if (!o) continue;
    const v = t[i] === o ? args[i + 1] : { ...args[i]!, text: t[i]!.slice(o.length + 1) };
    if (!v || v.text === '-') continue;
    const k = v.literal ? ctx.env.fs.kind(v.text.startsWith('/') ? v.text : `${ctx.env.cwd}/${v.text}`) : undefined;
    pathEffect(ctx, k === 'file' ? 'overwrite' : k === 'dir' ? 'write' : 'create', v, name, ' (output)');
  }
  const src = verb && spec.sub ? `${name} ${verb}` : name;
  switch (cls) {
    case 'read':
      return plain(ctx, src, 'read', 'read', `${spec.what}: prints or inspects`);
    case 'check':
      return plain(ctx, src, 'read', 'read', `${spec.what}: checks the project and reports (writes nothing)`);
    case 'test':
      return projectExec(ctx, src, `${spec.what}: runs the project's tests`);
    case 'run':
      return projectExec(ctx, src, `${spec.what}: runs the project's own code or tasks`);
    case 'serve':
      return projectExec(ctx, src, `${spec.what}: starts a dev server or watcher on the project`);
    case 'build':
    case 'format':
      return pathEffect(ctx, 'write', lit('.'), src, cls === 'format' ? `: ${spec.what} rewrites source files in place` : `: ${spec.what} writes build outputs`);
    case 'install': {
      const before = ctx.effects.length;
      pathEffect(ctx, 'write', lit('.'), src, `: ${spec.what} installs dependencies (runs their install scripts)`);
      for (const e of ctx.effects.slice(before)) if (e.reversibility === 'reversible') e.reversibility = 'recoverable';
      return;
    }
    case 'publish':
      return network(ctx, src, 'irreversible', `${src}: ${spec.what} publishes or deploys (cannot be taken back)`);
    case 'delete':
      return plain(ctx, src, 'delete', 'irreversible', `${src}: deletes`, { outsideWorkspace: true });
    case 'stop':
      return plain(ctx, src, 'process', 'recoverable', `${src}: ${spec.what} stops or restarts a running service`, { outsideWorkspace: true });
    case 'unknown':
      return unknownEffect(ctx, src, `${src}: ${verb === undefined ? `${spec.what} without a subcommand` : `subcommand ${verb} of ${spec.what} is not in Airlock's tables (a plugin or alias could do anything)`}`);
  }
}

/** General rule for CLIs with subcommands, so every cloud/SaaS CLI need not be listed. */
function generalVerbRule(name: string, t: string[], ctx: Ctx): void {
  const remote = REMOTE_CLIS.has(name);
  // Closed world: a program in no table is unknown whatever its arguments look like.
  if (!remote) {
    const verb = t.find((a) => !a.startsWith('-'))?.toLowerCase();
    const hint = verb && (DESTRUCTIVE_VERBS.has(verb) || DESTRUCTIVE_VERBS.has(verb.split(/[-_:.]/)[0]!)) ? ` (its subcommand ${verb} sounds destructive)` : '';
    unknownEffect(ctx, name, `unknown program ${name}: it is in none of Airlock's tables, so what it does cannot be established${hint}`);
    return;
  }
  if ((name === 'gh' || name === 'glab') && t.find((a) => !a.startsWith('-')) === 'api') return restApi(name, t, ctx);
  const words = t.filter((a) => !a.startsWith('-') && !a.includes('=')).slice(0, 4).map((a) => a.toLowerCase());
  const flagVerbs = t.filter((a) => /^--?[a-z][\w-]*$/i.test(a)).map((a) => a.replace(/^-+/, '').toLowerCase());
  const verbParts = (w: string): string[] => w.split(/[-_:.]/);
  // A plan or preview changes nothing, whatever it plans (`terraform plan -destroy`).
  if (remote && PLAN_VERBS.has(words[0] ?? '')) {
    const out = t.findIndex((a) => a === '-out' || a.startsWith('-out=') || a === '--out');
    if (out >= 0) pathEffect(ctx, 'create', t[out]!.includes('=') ? t[out]!.slice(t[out]!.indexOf('=') + 1) : t[out + 1] ?? '', name, ' (plan file)');
    return plain(ctx, name, 'read', 'read', `${name} ${words.join(' ')}: a plan or preview (changes nothing)`, { network: true });
  }
  const destructiveFlag = flagVerbs.find((f) => DESTRUCTIVE_VERBS.has(f.split('-')[0]!) && f !== 'force');
  // `heroku pg:reset`, `apps:destroy`: a namespaced verb is destructive when its last part is.
  const colonVerb = remote && /^[a-z][\w-]*(:[a-z][\w-]*)+$/.test(words[0] ?? '') ? words[0]!.split(':').pop()! : undefined;
  const destructive = (remote ? destructiveFlag : undefined) ??
    (colonVerb !== undefined && (DESTRUCTIVE_VERBS.has(colonVerb) || REMOTE_DESTRUCTIVE.has(colonVerb) || DESTRUCTIVE_VERBS.has(verbParts(colonVerb)[0]!)) ? words[0] : undefined) ??
    words.find((w) => DESTRUCTIVE_VERBS.has(w) || (remote && (DESTRUCTIVE_VERBS.has(verbParts(w)[0]!) || REMOTE_DESTRUCTIVE.has(w) || REMOTE_DESTRUCTIVE.has(verbParts(w)[0]!) || (verbParts(w)[0] === 'batch' && DESTRUCTIVE_VERBS.has(verbParts(w)[1] ?? '')) || /^(delete|remove|destroy|drop|purge|wipe|nuke|truncate|flush)[a-z]/.test(w)))) ??
    (remote ? flagVerbs.find((f) => ['delete', 'remove', 'purge', 'drop', 'destroy', 'force', 'auto-approve', 'yes'].includes(f)) : undefined);
  const isApply = remote && words.some((w) => ['apply', 'up', 'deploy', 'destroy'].includes(w)) && t.some((a) => /^-?-(auto-approve|yes|y|force)$/.test(a));
  if (destructive || isApply) {
    const what = destructive ?? 'apply';
    if (remote) network(ctx, name, 'irreversible', `${name} ${words.join(' ')}: ${what} on a remote service (no undo)`);
    else plain(ctx, name, 'delete', 'irreversible', `${name} ${words.join(' ')}: destructive subcommand ${what}`, { outsideWorkspace: true });
    return;
  }
  // Noun-then-verb CLIs (`velero backup get`, `glab release list`, `kubectl rollout status`): a
  // word that names a kind of object and is directly followed by a read verb is that object, not
  // the action. Only adjacent, and only for words that are nouns in such CLIs, so `gh release
  // create list` (create is no noun) stays a mutation.
  const readVerb = (w: string | undefined): boolean => w !== undefined && (READ_VERBS.has(w) || (/^(get|list|describe|show|view)-[a-z-]+$/.test(w) && !MUTATION_VERB.test(w)));
  const actions = words.filter((w, i) => !(NOUN_LIKE.has(w) && readVerb(words[i + 1])));
  const first = words.find((w) => READ_VERBS.has(w) || READ_VERBS.has(verbParts(w)[0]!) || (remote && /^[a-z]+([_-][a-z]+)+$/.test(w) && READ_VERBS.has(verbParts(w).pop()!)));
  if (first !== undefined && (words.length === 0 || actions.every((w) => !MUTATION_VERB.test(w)))) {
    plain(ctx, name, 'read', 'read', `${name} ${words.join(' ')}: reads`, remote ? { network: true } : {});
    return;
  }
  const readFlag = flagVerbs.find((f) => READ_VERBS.has(f));
  if (readFlag && !flagVerbs.some((f) => MUTATION_VERB.test(f)) && !words.some((w) => MUTATION_VERB.test(w))) {
    plain(ctx, name, 'read', 'read', `${name} --${readFlag}: reads`, remote ? { network: true } : {});
    return;
  }
  if (remote && (words.some((w) => MUTATION_VERB.test(w)) || flagVerbs.some((f) => MUTATION_VERB.test(f)))) {
    network(ctx, name, 'recoverable', `${name} ${words.join(' ')}: changes state on a remote service`);
    return;
  }
  if (remote && words.length === 0) {
    plain(ctx, name, 'read', 'read', `${name} without a subcommand prints usage`, { network: true });
    return;
  }
  // Closed world: a program (or a subcommand of a remote CLI) in no table is unknown and asks.
  if (remote) unknownEffect(ctx, name, `${name} ${words.join(' ')}: a subcommand Airlock does not know, so its effect on the remote service cannot be established`);
  else unknownEffect(ctx, name, `unknown program ${name}: it is in none of Airlock's tables, so what it does cannot be established`);
}

/** Mutation words that are also the names of objects in noun-then-verb CLIs (see generalVerbRule). */
const NOUN_LIKE = new Set(['backup', 'backups', 'release', 'releases', 'build', 'builds', 'deploy', 'deploys', 'deployment', 'deployments', 'run', 'runs', 'tag', 'tags', 'label', 'labels', 'import', 'imports', 'rollout', 'request', 'requests', 'trigger', 'triggers', 'mount', 'mounts', 'register', 'registry', 'copy', 'sync', 'syncs', 'merge', 'schedule', 'schedules', 'pub', 'setup', 'config', 'job', 'jobs', 'pipeline', 'pipelines', 'install', 'installs', 'upload', 'uploads']);

/**
 * `gh api PATH` / `glab api PATH`: a GET unless a method other than GET/HEAD is given, or fields or
 * an input body are sent (which make it a POST).
 */
function restApi(name: string, t: string[], ctx: Ctx): void {
  let method: string | undefined;
  let body = false;
  const fields: string[] = [];
  const positional: string[] = [];
  const WITH_VALUE = /^(-X|--method|-f|-F|--field|--raw-field|--input|-H|--header|-q|--jq|-t|--template|--hostname|-p|--preview|--cache|-R|--repo)$/;
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    if (WITH_VALUE.test(a)) {
      const v = t[i + 1] ?? '';
      if (a === '-X' || a === '--method') method = v.toUpperCase();
      if (/^(-f|-F|--field|--raw-field|--input)$/.test(a)) (body = true), fields.push(v);
      i++;
    } else if (a.startsWith('--method=')) method = a.slice(9).toUpperCase();
    else if (/^-X./.test(a)) method = a.slice(2).toUpperCase();
    else if (/^(--field|--raw-field|--input)=/.test(a) || /^-[fF]./.test(a)) (body = true), fields.push(a.replace(/^(-[fF]|--[a-z-]+=)/, ''));
    else if (!a.startsWith('-')) positional.push(a);
  }
  const path = positional[1] ?? '';
  // GraphQL goes by POST; a query (no `mutation`) only reads. A field Airlock cannot read is not a query it knows.
  const graphqlRead = path === 'graphql' && method === undefined && fields.some((f) => /^query=\s*(query\b|\{)/.test(f)) && !fields.some((f) => /\bmutation\b|\$/.test(f));
  if ((method === undefined && !body) || method === 'GET' || method === 'HEAD' || graphqlRead) {
    // A GET with fields sends them as query parameters (`-X GET -f q=…`): still a read.
    return plain(ctx, name, 'read', 'read', `${name} api ${path}: a GET request (reads)`, { network: true });
  }
  const m = method ?? 'POST';
  network(ctx, name, m === 'DELETE' ? 'irreversible' : 'recoverable', `${name} api ${m} ${path}: ${m === 'DELETE' ? 'deletes on' : 'changes state on'} a remote service`);
}

/** Verbs that only plan or preview. */
const PLAN_VERBS = new Set(['plan', 'preview', 'diff', 'template', 'lint', 'validate', 'show', 'graph', 'output']);
/** Teardown words that only remote CLIs use as verbs (`rb` = remove bucket). */
const REMOTE_DESTRUCTIVE = new Set(['rb', 'rmb', 'teardown', 'nuke', 'wipe', 'dedupe', 'deletefile', 'rmdir', 'rmtree', 'recreate', 'break-lock', 'unset', 'clean', 'flushall', 'flushdb', 'dropdatabase', 'zap', 'obliterate', 'decommission', 'deprovision', 'unprovision', 'erase', 'reset', 'force_reset', 'delete', 'remove', 'destroy', 'drop', 'purge']);
