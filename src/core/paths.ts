/**
 * Path canonicalization and the protected-path tables. Pure: facts about the file system (does a
 * path exist, where does a symlink point) come in through the PathFacts port, implemented in
 * src/node with real fs calls and in tests with a table.
 *
 * Architecture Invariant: paths are canonicalized (home expanded, made absolute, `.`/`..` resolved,
 * symlinks of the longest existing prefix resolved, Unicode NFC) BEFORE any protected-name match,
 * and protected names match case-insensitively (CVE-2025-59944: `.Cursor/MCP.json`). Workspace
 * containment compares path components, never string prefixes (CVE-2025-54794: `/w/proj-evil`).
 */
import { posix } from 'node:path';

import type { Environment } from './environment';
export { NO_FS, makeEnvironment, type PathFacts, type FileReadError, type FileRead, type FileRef, type RunProvenance, type TrustHit, type TrustLookup, type Environment } from './environment';

/**
 * Lexically absolute, normalized, NFC path (no file system access). `~` and `~/x` use env.home;
 * `~name` (another account's home, as the shell expands it) is taken as a sibling of env.home
 * (`/home/name`, `/Users/name`), `~root` as /root: another user's files, never the workspace.
 */
export function absolutize(p: string, env: Pick<Environment, 'cwd' | 'home'>): string {
  let s = p.normalize('NFC');
  if (s === '~') s = env.home;
  else if (s.startsWith('~/')) s = env.home + s.slice(1);
  else {
    const other = /^~([A-Za-z_][\w.-]*)(\/.*)?$/.exec(s);
    if (other) s = (other[1] === 'root' ? '/root' : posix.join(posix.dirname(env.home), other[1]!)) + (other[2] ?? '');
  }
  const abs = s.startsWith('/') ? posix.normalize(s) : posix.join(env.cwd, s);
  return abs.length > 1 && abs.endsWith('/') ? abs.slice(0, -1) : abs;
}

/**
 * Canonical absolute path: absolutize, then resolve symlinks of the longest existing prefix (the
 * rest is appended as is), so `link/x` where `link -> ~` is seen as `~/x`.
 */
export function canonicalize(p: string, env: Environment): string {
  const abs = absolutize(p, env);
  const direct = env.fs.realpath(abs);
  if (direct !== undefined) return direct;
  const parts = abs.split('/');
  for (let i = parts.length - 1; i > 1; i--) {
    const prefix = parts.slice(0, i).join('/');
    const real = env.fs.realpath(prefix);
    if (real !== undefined) return posix.join(real, ...parts.slice(i));
  }
  return abs;
}

/** True when `p` is `dir` or below it, compared by components (not string prefix). */
export function isWithin(p: string, dir: string): boolean {
  if (dir === '/') return true;
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

export interface PathInfo {
  /** Canonical absolute path. */
  abs: string;
  insideWorkspace: boolean;
  inTemp: boolean;
  /** Why this path is security configuration, if it is. */
  securityConfig?: string;
  /** Why this path holds secrets, if it does. */
  secrets?: string;
  /** A path whose loss would be catastrophic: `/`, the home folder, system folders, a workspace root. */
  critical?: string;
  exists: boolean;
  isDir: boolean;
}

const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/opt', '/proc', '/root', '/sbin', '/srv', '/sys', '/usr', '/var', '/home', '/Users', '/System', '/Library', '/Applications', '/private', '/mnt', '/media', '/snap'];

/** Classify one path against the workspace, the temp dirs and the protected tables. */
export function inspectPath(p: string, env: Environment): PathInfo {
  const abs = canonicalize(p, env);
  const roots = env.workspaceRoots.map((r) => canonicalize(r, env));
  const insideWorkspace = roots.some((r) => isWithin(abs, r));
  const temps = env.tempDirs.map((t) => absolutize(t, env));
  // The home folder and Airlock's state are never scratch, even when they live under /tmp.
  const home = absolutize(env.home, env);
  const inTemp = !insideWorkspace && !isWithin(abs, home) && !isWithin(abs, absolutize(env.airlockHome, env)) && temps.some((t) => isWithin(abs, t) && abs !== t);
  const kind = env.fs.kind(abs);
  const info: PathInfo = { abs, insideWorkspace, inTemp, exists: kind !== undefined, isDir: kind === 'dir' };
  const sec = securityConfigReason(abs, env, roots);
  if (sec) info.securityConfig = sec;
  const secret = isWithin(abs, absolutize(env.airlockHome, env)) ? "Airlock's own state (bridge token, ledger, acknowledgements)" : secretReason(abs);
  if (secret) info.secrets = secret;
  const crit = criticalReason(abs, env, roots);
  if (crit) info.critical = crit;
  return info;
}

function criticalReason(abs: string, env: Environment, roots: string[]): string | undefined {
  if (abs === '/') return 'the root of the file system';
  if (abs === absolutize(env.home, env)) return 'the home folder';
  if (roots.includes(abs)) return 'a workspace root';
  if (SYSTEM_DIRS.includes(abs)) return `system folder ${abs}`;
  if (posix.dirname(abs) === absolutize(env.home, env) && !posix.basename(abs).startsWith('.')) return `top-level folder of home (${abs})`;
  return undefined;
}

/** Relative path below the nearest workspace root or home, lower-cased, for name matching. */
function relativeTail(abs: string, bases: string[]): string[] {
  let best: string | undefined;
  for (const b of bases) if (isWithin(abs, b) && (best === undefined || b.length > best.length)) best = b;
  const rel = best === undefined ? abs : abs.slice(best.length);
  return rel.toLowerCase().split('/').filter((s) => s.length > 0);
}

/** Directories (any depth) whose every file configures an agent, the IDE or Airlock. */
const SECURITY_DIRS: Record<string, string> = {
  '.airlock': "Airlock's own policy",
  '.claude': 'Claude Code settings, hooks or agents',
  '.cursor': 'Cursor settings, hooks or MCP config',
  '.gemini': 'Gemini CLI settings or hooks',
  '.codex': 'Codex settings or hooks',
  '.copilot': 'Copilot settings or hooks',
  '.clinerules': 'Cline rules or hooks',
  '.roo': 'Roo settings',
  '.windsurf': 'Windsurf settings',
  '.husky': 'git hooks (husky)',
  '.circleci': 'CI configuration',
  '.buildkite': 'CI configuration',
  '.devcontainer': 'dev container configuration (runs commands on open)',
};

/** File names (any depth, case-insensitive) that steer an agent, the IDE or a build. */
const SECURITY_FILES: Record<string, string> = {
  '.mcp.json': 'MCP server configuration',
  'agents.md': 'agent instruction file',
  'claude.md': 'agent instruction file',
  'claude.local.md': 'agent instruction file',
  'gemini.md': 'agent instruction file',
  '.cursorrules': 'agent instruction file',
  '.windsurfrules': 'agent instruction file',
  '.clinerules': 'agent instruction file',
  'copilot-instructions.md': 'agent instruction file',
  '.gitlab-ci.yml': 'CI configuration',
  'azure-pipelines.yml': 'CI configuration',
  'jenkinsfile': 'CI configuration',
  '.envrc': 'direnv script (runs on cd)',
  '.npmrc': 'package manager configuration (scripts, registries, tokens)',
  '.yarnrc': 'package manager configuration',
  '.yarnrc.yml': 'package manager configuration',
  '.gitmodules': 'git submodule configuration',
  '.gitattributes': 'git filters and attributes',
};

/** Files in the home folder (outside any workspace) that persist code or configure the shell. */
const HOME_SECURITY: Array<[string[], string]> = [
  [['.bashrc'], 'shell startup file'],
  [['.bash_profile'], 'shell startup file'],
  [['.profile'], 'shell startup file'],
  [['.zshrc'], 'shell startup file'],
  [['.zprofile'], 'shell startup file'],
  [['.zshenv'], 'shell startup file'],
  [['.config', 'fish'], 'shell startup file'],
  [['.ssh', 'authorized_keys'], 'SSH authorized keys'],
  [['.ssh', 'config'], 'SSH client configuration'],
  [['.gitconfig'], 'global git configuration'],
  [['.config', 'git'], 'global git configuration'],
  [['.config', 'systemd'], 'user services (persistence)'],
  [['.config', 'autostart'], 'autostart entries (persistence)'],
  [['.config', 'code', 'user'], 'VS Code user settings'],
  [['.vscode-server'], 'VS Code server data and extensions'],
  [['.vscode', 'extensions'], 'VS Code extensions'],
  [['.local', 'share', 'code-server'], 'code-server settings and extensions'],
  [['documents', 'cline'], 'Cline hooks and rules'],
];

/** Why a canonical path is security configuration, or undefined. */
export function securityConfigReason(abs: string, env: Environment, roots?: string[]): string | undefined {
  const airlockHome = absolutize(env.airlockHome, env);
  if (isWithin(abs, airlockHome)) return "Airlock's own state (ledger, kill switch, acknowledgements)";
  const lower = abs.toLowerCase();
  if (lower.startsWith('/etc/sudoers') || lower === '/etc/crontab' || lower.startsWith('/etc/cron') || lower.startsWith('/var/spool/cron')) return 'system scheduler or privileges (persistence)';
  const home = absolutize(env.home, env);
  const parts = relativeTail(abs, [...(roots ?? env.workspaceRoots.map((r) => canonicalize(r, env))), home]);
  for (let i = 0; i < parts.length; i++) {
    const dirReason = SECURITY_DIRS[parts[i]!];
    if (dirReason) return dirReason;
  }
  const name = parts[parts.length - 1] ?? '';
  const fileReason = SECURITY_FILES[name];
  if (fileReason) return fileReason;
  const n = parts.length;
  if (n >= 2 && parts[n - 2] === '.vscode' && ['settings.json', 'tasks.json', 'launch.json', 'mcp.json', 'extensions.json'].includes(name)) return `VS Code ${name} (can auto-approve tools or run tasks)`;
  const gitIdx = parts.indexOf('.git');
  if (gitIdx >= 0) {
    const rest = parts.slice(gitIdx + 1);
    if (rest[0] === 'hooks') return 'git hooks';
    if (rest[0] === 'config' && rest.length === 1) return 'git configuration';
    if (rest[0] === 'info' && rest[1] === 'attributes') return 'git attributes';
  }
  if (n >= 2 && parts[n - 2] === 'workflows' && parts[n - 3] === '.github') return 'CI workflow';
  if (parts[0] === '.github' && (parts[1] === 'hooks' || parts[1] === 'instructions' || parts[1] === 'prompts' || parts[1] === 'agents')) return 'Copilot hooks or instructions';
  if (isWithin(abs, home)) {
    const homeParts = abs.slice(home.length).toLowerCase().split('/').filter((s) => s.length > 0);
    for (const [prefix, reason] of HOME_SECURITY) {
      if (prefix.every((seg, i) => homeParts[i] === seg)) return reason;
    }
  }
  return undefined;
}

const BROWSER = 'browser profile (cookies, saved passwords)';
const HISTORY = 'shell history (tokens typed on command lines)';
const SECRET_NAMES: Record<string, string> = {
  '.env': 'environment secrets',
  '.netrc': 'network credentials',
  '.pgpass': 'PostgreSQL passwords',
  '.my.cnf': 'MySQL credentials',
  '.pypirc': 'package index credentials',
  '.git-credentials': 'git credentials',
  '.vault-token': 'Vault token',
  'credentials': 'credentials file',
  'credentials.json': 'credentials file',
  'service-account.json': 'cloud service account key',
  'id_rsa': 'SSH private key',
  'id_dsa': 'SSH private key',
  'id_ecdsa': 'SSH private key',
  'id_ed25519': 'SSH private key',
  'terraform.tfstate': 'Terraform state (holds secrets)',
  '.npmrc': 'package registry tokens',
  'secrets.yml': 'secrets file',
  'secrets.yaml': 'secrets file',
  'secrets.json': 'secrets file',
  '.htpasswd': 'password file',
  'shadow': 'system password hashes',
  // Shell and REPL histories: commands typed with tokens and passwords in them.
  '.bash_history': HISTORY,
  '.zsh_history': HISTORY,
  '.sh_history': HISTORY,
  '.history': HISTORY,
  'fish_history': HISTORY,
  '.python_history': 'REPL history',
  '.node_repl_history': 'REPL history',
  '.psql_history': 'database client history (passwords in statements)',
  '.mysql_history': 'database client history (passwords in statements)',
  '.sqlite_history': 'database client history',
  '.rediscli_history': 'database client history (AUTH passwords)',
  '.dbshell': 'database client history',
};
const SECRET_EXT: Record<string, string> = {
  '.pem': 'private key or certificate',
  '.key': 'private key',
  '.p12': 'key store',
  '.pfx': 'key store',
  '.keystore': 'key store',
  '.jks': 'key store',
  '.tfvars': 'Terraform variables (often secrets)',
  '.kdbx': 'password database',
};
const SECRET_DIRS: Array<[string[], string]> = [
  [['.ssh'], 'SSH keys'],
  [['.aws'], 'AWS credentials'],
  [['.azure'], 'Azure credentials'],
  [['.config', 'gcloud'], 'Google Cloud credentials'],
  [['.kube'], 'Kubernetes credentials'],
  [['.docker', 'config.json'], 'Docker registry credentials'],
  [['.config', 'gh'], 'GitHub CLI token'],
  [['.gnupg'], 'GPG keys'],
  [['.password-store'], 'password store'],
  [['.cargo', 'credentials'], 'Cargo registry token'],
  [['.cargo', 'credentials.toml'], 'Cargo registry token'],
  [['.config', 'glab-cli'], 'GitLab CLI token'],
  [['.config', 'hub'], 'GitHub token (hub)'],
  [['.config', 'pypoetry', 'auth.toml'], 'Poetry repository credentials'],
  [['.config', 'rclone', 'rclone.conf'], 'rclone remote credentials'],
  [['.config', 'doctl'], 'DigitalOcean token'],
  [['.config', 'hcloud'], 'Hetzner Cloud token'],
  [['.terraform.d', 'credentials.tfrc.json'], 'Terraform Cloud token'],
  [['.gem', 'credentials'], 'RubyGems API key'],
  [['.composer', 'auth.json'], 'Composer credentials'],
  [['.config', 'composer', 'auth.json'], 'Composer credentials'],
  [['.kaggle', 'kaggle.json'], 'Kaggle API key'],
  [['.m2', 'settings.xml'], 'Maven repository credentials'],
  [['.m2', 'settings-security.xml'], 'Maven master password'],
  [['.gradle', 'gradle.properties'], 'Gradle credentials'],
  [['.local', 'share', 'keyrings'], 'desktop keyring'],
  [['library', 'keychains'], 'macOS keychain'],
  [['.oci', 'config'], 'Oracle Cloud credentials'],
  [['.fly', 'config.yml'], 'Fly.io token'],
  [['.databrickscfg'], 'Databricks token'],
  [['.boto'], 'cloud storage credentials'],
  [['.s3cfg'], 'S3 credentials'],
  [['.config', 'gcloud'], 'Google Cloud credentials'],
  [['.config', 'op'], '1Password CLI session'],
  [['.config', 'configstore', 'firebase-tools.json'], 'Firebase token'],
  // Coding agents' own logins.
  [['.claude', '.credentials.json'], 'Claude Code login'],
  [['.codex', 'auth.json'], 'Codex login'],
  [['.gemini', 'oauth_creds.json'], 'Gemini CLI login'],
  [['.config', 'github-copilot'], 'GitHub Copilot token'],
  [['.copilot', 'config.json'], 'GitHub Copilot CLI login'],
  // Other CLIs' tokens.
  [['.config', 'netlify'], 'Netlify token'],
  [['.config', 'stripe'], 'Stripe CLI keys'],
  [['.config', 'huggingface'], 'Hugging Face token'],
  [['.cache', 'huggingface', 'token'], 'Hugging Face token'],
  [['.huggingface', 'token'], 'Hugging Face token'],
  [['.pulumi', 'credentials.json'], 'Pulumi token'],
  [['.terraformrc'], 'Terraform Cloud token'],
  [['.supabase', 'access-token'], 'Supabase token'],
  [['.railway', 'config.json'], 'Railway token'],
  [['.wrangler', 'config'], 'Cloudflare token'],
  [['.config', '.wrangler', 'config'], 'Cloudflare token'],
  [['.local', 'share', 'com.vercel.cli', 'auth.json'], 'Vercel token'],
  // Browser profiles: cookies, saved passwords, session tokens.
  [['.config', 'google-chrome'], BROWSER],
  [['.config', 'chromium'], BROWSER],
  [['.config', 'bravesoftware'], BROWSER],
  [['.config', 'microsoft-edge'], BROWSER],
  [['.config', 'vivaldi'], BROWSER],
  [['.mozilla', 'firefox'], BROWSER],
  [['library', 'application support', 'google', 'chrome'], BROWSER],
  [['library', 'application support', 'firefox'], BROWSER],
  [['library', 'application support', 'bravesoftware'], BROWSER],
  [['library', 'application support', 'microsoft edge'], BROWSER],
  [['library', 'cookies'], 'browser cookies'],
  [['library', 'safari'], 'browser data'],
];

/**
 * A name a glob in the last path segment could match that holds secrets (`.e*` → `.env`), or
 * undefined. Tried against the secret names and extensions, and a few common `.env` variants.
 */
export function globSecretName(pattern: string): string | undefined {
  if (!/[*?[]/.test(pattern) || pattern.includes('/')) return undefined;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  let rx: RegExp;
  try {
    rx = new RegExp(`^${re}$`, 'i');
  } catch {
    return undefined;
  }
  // A pattern of wildcards alone (`*`, `??`) names no file in particular: the folder's own rules apply.
  if (pattern.replace(/\[[^\]]*\]|[*?]/g, '').length < 2) return undefined;
  const candidates = [...Object.keys(SECRET_NAMES), '.env.local', '.env.production', '.env.development', '.env.test', ...Object.keys(SECRET_EXT).map((e) => `server${e}`)];
  // As the shell globs: a leading dot is matched only by a pattern that starts with one.
  return candidates.find((c) => rx.test(c) && (c.startsWith('.') ? pattern.startsWith('.') : true));
}

/** Why a canonical path holds secrets, or undefined. Example/template env files are not secrets. */
export function secretReason(abs: string): string | undefined {
  const lower = abs.toLowerCase();
  const parts = lower.split('/').filter((s) => s.length > 0);
  const name = parts[parts.length - 1] ?? '';
  if (name.startsWith('.env')) {
    if (/\.(example|sample|template|dist|defaults)$/.test(name)) return undefined;
    return 'environment secrets';
  }
  if (name.endsWith('.pub') || name === 'known_hosts') return undefined;
  if (parts[0] === 'proc' && (name === 'environ' || name === 'cmdline' || name === 'mem')) return 'process environment (holds tokens)';
  const byName = SECRET_NAMES[name];
  if (byName) return byName;
  const dot = name.lastIndexOf('.');
  if (dot > 0) {
    const byExt = SECRET_EXT[name.slice(dot)];
    if (byExt) return byExt;
  }
  for (let i = 0; i < parts.length; i++) {
    for (const [prefix, reason] of SECRET_DIRS) {
      if (prefix.every((seg, j) => parts[i + j] === seg)) return reason;
    }
  }
  return undefined;
}
