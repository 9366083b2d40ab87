/**
 * Desktop openers (`open`, `xdg-open`, `gio open`, `wslview`): hand a URL or a file to the
 * default application. A page of this machine (`http://localhost:3000`) or a document of the
 * workspace (HTML, Markdown, PDF, images, text) is something to look at: read. Any other URL is
 * loaded by the person's browser with their cookies and sessions, and any other file may be an
 * application or a script the opener runs (`open x.command`, a `.desktop` file): unknown, ask.
 */
import { inspectPath } from '../../../paths.js';
import { plain, resolveFrom, unknownEffect } from '../shellContext.js';
import { positionals } from './common.js';
import type { Family } from './types.js';

const OPENERS = new Set(['open', 'xdg-open', 'wslview', 'gnome-open', 'kde-open']);
const LOOPBACK_URL = /^https?:\/\/(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|0\.0\.0\.0|[\w-]+\.localhost)(?::\d+)?(?:[/?#]|$)/i;
const DOCUMENT = /\.(?:html?|md|markdown|pdf|png|jpe?g|gif|svg|webp|txt|csv|json|log|xml)$/i;

export const openers: Family = (c) => {
  const gio = c.name === 'gio' && c.args[0]?.text === 'open';
  if (!OPENERS.has(c.name) && !gio) return false;
  const { ctx } = c;
  const targets = positionals(gio ? c.args.slice(1) : c.args, new Set(['-a', '-b', '--env']));
  if (targets.length === 0 || c.args.some((a) => a.text === '-a' || a.text === '-b')) return false;
  for (const t of targets) {
    if (t.unknownVars.length || t.subst) {
      unknownEffect(ctx, c.name, `${c.name} opens ${t.text}, which depends on variables or command output`);
      continue;
    }
    if (LOOPBACK_URL.test(t.text)) {
      plain(ctx, c.name, 'read', 'read', `${c.name} shows ${t.text} (a page served on this machine) in the browser`);
      continue;
    }
    const abs = /^[a-z][\w+.-]*:/i.test(t.text) ? undefined : resolveFrom(ctx, t.text);
    if (abs !== undefined && DOCUMENT.test(abs) && inspectPath(abs, ctx.env).insideWorkspace) {
      plain(ctx, c.name, 'read', 'read', `${c.name} shows ${abs} in its default viewer`, { target: abs });
      continue;
    }
    unknownEffect(ctx, c.name, `${c.name} hands ${t.text} to the default application: a site is loaded with the person's browser sessions, a file may be a program it runs`);
  }
  return true;
};
