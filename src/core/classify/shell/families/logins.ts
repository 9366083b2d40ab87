/**
 * Logins: `docker login`, `npm login`, `gh auth login`, `gcloud auth login`, `az login`,
 * `heroku login`, `cargo login`, … store a credential in the user's configuration, and every later
 * command of that tool acts as the account logged in (a push, a publish, a deploy goes where that
 * account points). A change of identity outside the workspace: recoverable (log in again) and
 * security-sensitive, so it asks. `--help` stays a read; `… logout` is left to the tables.
 */
import { plain } from '../shellContext.js';
import type { Family } from './types.js';

/** program → the argv prefixes (after options) that log in. */
const LOGINS: Record<string, string[][]> = {
  docker: [['login']], podman: [['login']], buildah: [['login']], skopeo: [['login']], nerdctl: [['login']], oras: [['login']], crane: [['auth', 'login']], regctl: [['registry', 'login']],
  helm: [['registry', 'login']],
  npm: [['login'], ['adduser'], ['add-user']], pnpm: [['login'], ['adduser']], yarn: [['login'], ['npm', 'login']], bun: [['login']],
  gh: [['auth', 'login'], ['auth', 'refresh']], glab: [['auth', 'login']], tea: [['login', 'add']],
  gcloud: [['auth', 'login'], ['auth', 'application-default', 'login'], ['auth', 'activate-service-account']],
  az: [['login']], aws: [['sso', 'login']], azcopy: [['login']],
  heroku: [['login'], ['auth:login']], vercel: [['login']], netlify: [['login']], firebase: [['login']], wrangler: [['login']],
  flyctl: [['auth', 'login']], fly: [['auth', 'login']], railway: [['login']], supabase: [['login']], doctl: [['auth', 'init']],
  gem: [['signin']], cargo: [['login']], 'huggingface-cli': [['login']], hf: [['auth', 'login']], pulumi: [['login']], terraform: [['login']], tofu: [['login']],
  vault: [['login']], op: [['signin']], bw: [['login']], stripe: [['login']], expo: [['login']], eas: [['login']], oc: [['login']], argocd: [['login']],
  dotnet: [['nuget', 'add', 'source']], poetry: [['config', 'pypi-token.*'], ['config', 'http-basic.*']],
};

export const logins: Family = (c) => {
  const prefixes = LOGINS[c.name];
  if (!prefixes) return false;
  const t = c.args.map((a) => a.text);
  if (t.some((a) => a === '--help' || a === '-h')) return false;
  const words = t.filter((a) => !a.startsWith('-'));
  const hit = prefixes.find((p) => p.every((w, i) => (w.endsWith('.*') ? words[i]?.startsWith(w.slice(0, -1)) === true : words[i] === w)));
  if (!hit) return false;
  const source = `${c.name} ${hit.map((w, i) => (w.endsWith('.*') ? words[i]! : w)).join(' ')}`;
  plain(c.ctx, source, 'write', 'recoverable', `${source} stores a credential in the user's configuration: later ${c.name} commands act as that account`, { securityConfig: true, outsideWorkspace: true });
  return true;
};
