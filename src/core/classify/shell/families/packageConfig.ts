/**
 * T46: lifecycle hooks and package-manager settings written without naming a file. `npm pkg set
 * scripts.postinstall=…`, `npm set-script`, `pnpm pkg set`, and `npm|yarn|pnpm config set` (which
 * writes `.npmrc`/`.yarnrc*`: `script-shell`, `ignore-scripts`, `node-options`, registries, tokens)
 * change what runs on the next install or test. They are security config (ask, never cached); other
 * `npm pkg set` keys are ordinary edits of package.json. `yarn set version` and `yarn plugin import`
 * install code yarn runs on every call. `pip config set` redirects where packages come from.
 */
import { posix } from 'node:path';
import { plain } from '../shellContext.js';
import { word } from './common.js';
import { pathEffect } from '../shellContext.js';
import type { Family } from './types.js';

const LIFECYCLE_KEY = /^(scripts(\.|$|\[)|bin(\.|$)|config\.|gypfile|directories\.bin|workspaces|packagemanager|overrides|resolutions|pnpm\.|husky|simple-git-hooks|lint-staged|pre-commit)/i;

export const packageConfig: Family = (c) => {
  const { ctx, name } = c;
  const t = c.args.map((a) => a.text);
  const pos = t.filter((a) => !a.startsWith('-'));
  const [v1 = '', v2 = ''] = pos.map((p) => p.toLowerCase());
  const pkgJson = posix.join(ctx.env.cwd, 'package.json');
  const sec = (target: string, detail: string): void => {
    plain(ctx, `${name} ${v1}`.trim(), 'write', 'recoverable', detail, { securityConfig: true, target });
  };
  if (name === 'npm' || name === 'pnpm' || name === 'yarn' || name === 'bun') {
    if (v1 === 'pkg' && (v2 === 'set' || v2 === 'delete')) {
      const keys = pos.slice(2).map((p) => p.split('=')[0]!);
      const hook = keys.find((k) => LIFECYCLE_KEY.test(k));
      if (hook) sec(pkgJson, `${name} pkg ${v2} ${hook}: changes package.json scripts or hooks (what install and test run)`);
      else pathEffect(ctx, 'write', word(pkgJson), `${name} pkg ${v2}`, ` (${keys.join(', ')})`);
      return true;
    }
    if (v1 === 'pkg' && (v2 === 'get' || v2 === '' || v2 === 'fix')) {
      if (v2 === 'fix') pathEffect(ctx, 'write', word(pkgJson), `${name} pkg fix`);
      else plain(ctx, `${name} pkg`, 'read', 'read', `${name} pkg get`);
      return true;
    }
    if (v1 === 'set-script') {
      sec(pkgJson, `${name} set-script ${v2}: changes package.json scripts (what install and test run)`);
      return true;
    }
    const configVerb = v1 === 'config' || v1 === 'c' ? v2 : v1 === 'set' && name !== 'yarn' ? 'set' : v1 === 'unset' ? 'delete' : undefined;
    if (configVerb !== undefined && (v1 === 'config' || v1 === 'c' || v1 === 'set' || v1 === 'unset')) {
      if (/^(get|list|ls|current)$/.test(configVerb) || configVerb === '') {
        plain(ctx, `${name} config`, 'read', 'read', `${name} config ${configVerb}`.trim());
        return true;
      }
      const project = t.some((a) => /^--location=project$/.test(a)) || (name === 'yarn' && !t.includes('-g') && !t.includes('--home'));
      const file = project ? posix.join(ctx.env.cwd, name === 'yarn' ? '.yarnrc.yml' : '.npmrc') : posix.join(ctx.env.home, name === 'yarn' ? '.yarnrc' : '.npmrc');
      const key = pos[v1 === 'set' || v1 === 'unset' ? 1 : 2] ?? '';
      sec(file, `${name} config ${configVerb} ${key.split('=')[0]}: changes package manager settings (scripts, shells, registries, tokens)`);
      return true;
    }
    if (name === 'yarn' && ((v1 === 'set' && v2 === 'version') || (v1 === 'plugin' && /^(import|add)$/.test(v2)) || (v1 === 'policies' && v2 === 'set-version'))) {
      sec(posix.join(ctx.env.cwd, '.yarnrc.yml'), `yarn ${v1} ${v2}: installs code yarn runs on every call`);
      return true;
    }
  }
  if ((name === 'pip' || name === 'pip3') && v1 === 'config' && /^(set|unset|edit)$/.test(v2)) {
    sec(posix.join(ctx.env.home, '.config', 'pip', 'pip.conf'), `pip config ${v2}: changes where packages come from`);
    return true;
  }
  return false;
};
