/**
 * T02/T03 (and T43 for archives): programs whose write targets come from their input, not from their
 * arguments. `git apply`, `git am`, `patch` write the files a patch names; `tar -x`, `unzip`, `cpio
 * -i`, `7z x` write the files an archive holds, over existing ones. The arguments do not say which
 * files change, so a patch could create `.claude/settings.json` or rewrite `.airlock/policy.json`.
 *
 * When the patch file can be read (the optional `PathFacts.readText` port), its target paths are
 * judged one by one like any write. Otherwise the targets are unknown within the destination
 * folder: `unknown` (ask), outside the workspace when the destination is.
 */
import { posix } from 'node:path';
import { absolutize } from '../../../paths.js';
import { add, pathEffect, plain, type Ctx } from '../shellContext.js';
import type { ShWord } from '../shellWords.js';
import { hasOpt, optValue, positionals, word } from './common.js';
import type { Family } from './types.js';

/** Paths a unified or git patch writes (new, modified, renamed, deleted), relative to the patch root. */
export function patchTargets(text: string, strip: number): string[] | undefined {
  const out = new Set<string>();
  const cut = (p: string): string | undefined => {
    const clean = p.trim().replace(/\t.*$/, '').replace(/^"(.*)"$/, '$1');
    if (clean === '/dev/null') return undefined;
    const parts = clean.split('/');
    return parts.length > strip ? parts.slice(strip).join('/') : undefined;
  };
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^(?:\+\+\+|---) (.+)$/.exec(line))) {
      const p = cut(m[1]!);
      if (p) out.add(p);
    } else if ((m = /^diff --git a\/(\S+) b\/(\S+)/.exec(line))) {
      out.add(m[1]!);
      out.add(m[2]!);
    } else if ((m = /^(?:rename|copy) (?:from|to) (.+)$/.exec(line))) out.add(m[1]!);
    else if (/^(GIT binary patch|Binary files )/.test(line)) return undefined;
  }
  return out.size ? [...out] : undefined;
}

function unknownTargets(ctx: Ctx, source: string, from: string, dest: string): void {
  const abs = absolutize(dest, ctx.env);
  const before = ctx.effects.length;
  pathEffect(ctx, 'write', word(dest), source);
  const probe = ctx.effects[before];
  ctx.effects.length = before;
  add(ctx, {
    kind: 'write',
    reversibility: 'unknown',
    detail: `${source} writes the files named inside ${from}, which Airlock has not read: they could be anywhere under ${abs}, protected files included`,
    target: abs,
    source,
    ...(probe?.outsideWorkspace ? { outsideWorkspace: true } : {}),
  });
}

/** Judge a patch applied in `root` with `-p<strip>`: each named file, or unknown targets. */
function applyPatch(ctx: Ctx, source: string, patch: ShWord | undefined, root: string, strip: number, reverse: boolean): void {
  const name = patch?.text;
  const text = name && patch!.unknownVars.length === 0 && !patch!.subst && ctx.env.fs.readText ? ctx.env.fs.readText(absolutize(name, ctx.env)) : undefined;
  const targets = text !== undefined ? patchTargets(text, strip) : undefined;
  if (!targets) {
    unknownTargets(ctx, source, name ? name : 'the patch on stdin', root);
    return;
  }
  for (const t of targets) pathEffect(ctx, 'write', word(posix.join(absolutize(root, ctx.env), t)), source, reverse ? ' (reverse patch)' : ' (patch)');
}

const GIT_GLOBAL_WITH_ARG = new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env']);

export const indirectWrites: Family = (c) => {
  const { ctx, name, args } = c;
  const t = args.map((a) => a.text);
  if (name === 'git') {
    let i = 0;
    let root = '.';
    while (i < t.length && t[i]!.startsWith('-')) {
      if (t[i] === '-C' && t[i + 1]) root = posix.join(root, t[i + 1]!);
      i += GIT_GLOBAL_WITH_ARG.has(t[i]!) ? 2 : 1;
    }
    const verb = t[i]?.toLowerCase();
    const rest = args.slice(i + 1);
    if (verb === 'apply') {
      if (hasOpt(rest, ['--check', '--stat', '--numstat', '--summary'])) return false;
      const strip = Number(/^-p(\d+)$/.exec(rest.find((a) => /^-p\d+$/.test(a.text))?.text ?? '')?.[1] ?? 1);
      const dir = optValue(rest, ['--directory'])?.text;
      const files = positionals(rest, new Set(['--exclude', '--include', '--directory', '-C']));
      const base = dir ? posix.join(root, dir) : root;
      if (files.length === 0) applyPatch(ctx, 'git apply', undefined, base, strip, hasOpt(rest, ['-R', '--reverse']));
      for (const f of files) applyPatch(ctx, 'git apply', f, base, strip, hasOpt(rest, ['-R', '--reverse']));
      return false;
    }
    if (verb === 'am') {
      if (hasOpt(rest, ['--abort', '--quit', '--show-current-patch'])) return false;
      const files = positionals(rest, new Set(['-p', '--directory', '--exclude', '--include', '-C']));
      if (files.length === 0) applyPatch(ctx, 'git am', undefined, root, 1, false);
      for (const f of files) applyPatch(ctx, 'git am', f, root, 1, false);
      return false;
    }
    return false;
  }
  if (name === 'patch') {
    if (hasOpt(args, ['--dry-run', '--help', '--version'])) return false;
    const strip = Number(optValue(args, ['-p', '--strip'])?.text ?? 0);
    const dir = optValue(args, ['-d', '--directory'])?.text ?? '.';
    const inFile = optValue(args, ['-i', '--input']);
    const out = optValue(args, ['-o', '--output']);
    const pos = positionals(args, new Set(['-p', '--strip', '-d', '--directory', '-i', '--input', '-o', '--output', '-r', '--reject-file', '-B', '--prefix', '-z', '--suffix', '-V', '-D', '-F', '--fuzz']));
    if (out) pathEffect(ctx, 'overwrite', out, 'patch', ' (output file)');
    if (pos[0] && !out) {
      // `patch FILE [PATCHFILE]`: the file to patch is named.
      pathEffect(ctx, 'write', pos[0], 'patch', ' (patch)');
      return true;
    }
    const patchFile = inFile ?? (c.stdin.kind === 'file' ? word(c.stdin.path) : undefined);
    if (!out) applyPatch(ctx, 'patch', patchFile, dir, strip, hasOpt(args, ['-R', '--reverse']));
    return true;
  }
  const tarExtract = name === 'tar' || name === 'bsdtar' || name === 'gtar' ? (t[0] !== undefined && !t[0].startsWith('-') ? t[0].includes('x') : false) || hasOpt(args, ['-x', '--extract', '--get'], 'x') : false;
  if (tarExtract) {
    const dest = optValue(args, ['-C', '--directory'])?.text ?? '.';
    const archive = optValue(args, ['-f', '--file'])?.text ?? (t[0] && !t[0].startsWith('-') && t[0].includes('f') ? t[1] : undefined) ?? 'the archive on stdin';
    if (hasOpt(args, ['-k', '--keep-old-files', '--skip-old-files'], 'k')) {
      pathEffect(ctx, 'create', word(dest), name, ` (extracts ${archive}, keeping existing files)`);
      const e = ctx.effects[ctx.effects.length - 1];
      if (e) e.reversibility = e.outsideWorkspace ? 'recoverable' : 'unknown';
      if (e && !e.outsideWorkspace) e.detail = `${name} extracts ${archive} into ${absolutize(dest, ctx.env)}: the files it creates are named inside the archive (protected files could be among them)`;
      return true;
    }
    unknownTargets(ctx, `${name} -x`, archive, dest);
    const e = ctx.effects[ctx.effects.length - 1]!;
    e.kind = 'overwrite';
    e.detail += ' (existing files are overwritten)';
    return true;
  }
  if (name === 'unzip') {
    if (hasOpt(args, ['-l', '-v', '-t', '-Z', '-p', '-z'])) return false;
    const dest = optValue(args, ['-d'])?.text ?? '.';
    const archive = positionals(args, new Set(['-d', '-x', '-P']))[0]?.text ?? 'the archive';
    unknownTargets(ctx, 'unzip', archive, dest);
    if (hasOpt(args, ['-o'])) {
      const e = ctx.effects[ctx.effects.length - 1]!;
      e.kind = 'overwrite';
      e.detail += ' (-o overwrites existing files)';
    }
    return true;
  }
  if ((name === 'cpio' && hasOpt(args, ['-i', '--extract'], 'i')) || ((name === '7z' || name === '7za' || name === '7zz') && (t[0] === 'x' || t[0] === 'e'))) {
    const dest = name === 'cpio' ? optValue(args, ['-D', '--directory'])?.text ?? '.' : (t.find((a) => a.startsWith('-o'))?.slice(2) || '.');
    unknownTargets(ctx, name, 'the archive', dest);
    return true;
  }
  void plain;
  return false;
};
