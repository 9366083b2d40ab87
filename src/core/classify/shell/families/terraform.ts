/**
 * Terraform / OpenTofu's local workflow, which the general remote-CLI rule cannot tell from its verbs:
 * - `init` / `get` download providers and modules into `.terraform/` of the configuration folder
 *   (a workspace write that reinstalls); `init -migrate-state` / `-force-copy` copy the state into
 *   another backend, overwriting what is there: irreversible, asked;
 * - `fmt` rewrites the `.tf` files in place (unless `-check` / `-diff` without `-write`);
 * - `state pull`, `output -json|-raw`, `show -json` print the state or outputs with their sensitive
 *   values (passwords, keys): a secret read.
 * Everything else (plan, apply, destroy, import, state rm…) is left to the general rule.
 */
import { lit, network, pathEffect, plain } from '../shellContext.js';
import type { Family } from './types.js';

export const terraform: Family = (c) => {
  if (c.name !== 'terraform' && c.name !== 'tofu') return false;
  const { ctx } = c;
  const t = c.args.map((a) => a.text);
  // Global options come before the verb; -chdir=DIR is where the configuration (and .terraform) is.
  let i = 0;
  let chdir = '';
  while (i < t.length && t[i]!.startsWith('-')) {
    if (t[i]!.startsWith('-chdir=')) chdir = t[i]!.slice(7).replace(/\/+$/, '');
    i++;
  }
  const here = (p: string): string => (chdir ? `${chdir}/${p}` : p);
  const verb = t[i] ?? '';
  const rest = t.slice(i + 1);
  const has = (...flags: string[]): boolean => rest.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));
  const src = `${c.name} ${verb}`;
  if (verb === 'init' || verb === 'get') {
    if (verb === 'init' && has('-migrate-state', '-force-copy')) {
      network(ctx, src, 'irreversible', `${src} ${has('-force-copy') ? '-force-copy' : '-migrate-state'} copies the state into another backend, replacing the state there`);
      return true;
    }
    pathEffect(ctx, 'write', lit(here('.terraform')), src, ': downloads providers and modules (run it again to restore)');
    if (verb === 'init') pathEffect(ctx, 'write', lit(here('.terraform.lock.hcl')), src, ': records provider versions');
    return true;
  }
  if (verb === 'fmt') {
    if (has('-check') || (has('-diff') && !has('-write'))) {
      plain(ctx, src, 'read', 'read', `${src} -check: reports files that need formatting`);
      return true;
    }
    const dir = rest.filter((a) => !a.startsWith('-'))[0] ?? (chdir || '.');
    pathEffect(ctx, 'write', lit(dir), src, ': rewrites .tf files in place');
    return true;
  }
  const secretDump = (verb === 'state' && rest[0] === 'pull') || (verb === 'output' && has('-json', '-raw')) || (verb === 'show' && has('-json'));
  if (secretDump) {
    plain(ctx, src, 'read', 'read', `${src}${verb === 'state' ? ' pull' : ''} prints the ${verb === 'output' ? 'outputs' : 'state'} with their sensitive values (passwords, keys)`, { secrets: true });
    return true;
  }
  return false;
};
