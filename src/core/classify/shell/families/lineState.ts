/**
 * What earlier commands of the same command line did to the file system, as far as later commands
 * are concerned (T32/T35/T43): links made with `ln -s`, `ln` or `cp -s`/`cp -l`, files that now hold
 * data moved or copied there, and folders created. The classifier sees the file system through an
 * overlay of these facts, so `ln -s ~ home; echo x >> home/.bashrc` is judged as a write to
 * `~/.bashrc`, and `mv a f; mv b f` as overwriting what the first `mv` put in `f`.
 */
import { posix } from 'node:path';
import { absolutize, type Environment, type PathFacts } from '../../../paths.js';

export interface LineState {
  /** Absolute link path -> absolute target (symlinks resolved against the link's folder). */
  links: Map<string, string>;
  /** Files created earlier in the line that hold data that existed before (moved or copied there). */
  precious: Set<string>;
  /** Folders created earlier in the line. */
  dirs: Set<string>;
}

export function newLineState(): LineState {
  return { links: new Map(), precious: new Set(), dirs: new Set() };
}

/** Rewrite a path through the links made earlier in the line (longest link prefix first). */
function throughLinks(p: string, line: LineState): string {
  let cur = p;
  for (let hops = 0; hops < 16; hops++) {
    let best: string | undefined;
    for (const l of line.links.keys()) if ((cur === l || cur.startsWith(l + '/')) && (best === undefined || l.length > best.length)) best = l;
    if (best === undefined) return cur;
    cur = line.links.get(best)! + cur.slice(best.length);
  }
  return cur;
}

/** PathFacts that answer through the line's overlay first, then the real facts. */
export function overlayFacts(base: PathFacts, line: LineState): PathFacts {
  const facts: PathFacts = {
    realpath(p) {
      const r = throughLinks(p, line);
      if (r === p) return base.realpath(p);
      return base.realpath(r) ?? r;
    },
    kind(p) {
      const r = throughLinks(p, line);
      if (line.precious.has(r)) return 'file';
      if (line.dirs.has(r)) return 'dir';
      return base.kind(r);
    },
  };
  if (base.readText) facts.readText = (p) => base.readText!(throughLinks(p, line));
  // A folder's entries include the links and folders this line made in it.
  if (base.list) {
    facts.list = (p) => {
      const names = new Set(base.list!(throughLinks(p, line)) ?? []);
      for (const made of [...line.links.keys(), ...line.dirs, ...line.precious]) if (posix.dirname(made) === p) names.add(posix.basename(made));
      return names.size || base.kind(throughLinks(p, line)) === 'dir' ? [...names] : undefined;
    };
  }
  // Looking inside what will run reads through the same overlay (a link made earlier in the line).
  if (base.readFile) facts.readFile = (p, max) => base.readFile!(throughLinks(p, line), max);
  return facts;
}

/** An Environment whose file facts include what earlier commands of the line did. */
export function lineEnvironment(env: Environment, line: LineState): Environment {
  return { ...env, fs: overlayFacts(env.fs, line) };
}

/** Record `link` -> `target` (as written in `ln -s target link`): relative targets are relative to the link's folder. */
export function noteLink(env: Environment, line: LineState, target: string, link: string, symbolic: boolean): void {
  const linkAbs = absolutize(link, env);
  let targetAbs: string;
  if (target.startsWith('/') || target === '~' || target.startsWith('~/')) targetAbs = absolutize(target, env);
  else targetAbs = symbolic ? posix.normalize(posix.join(posix.dirname(linkAbs), target)) : absolutize(target, env);
  // `ln -s target dir/` makes dir/<basename(target)>.
  const k = env.fs.kind(linkAbs);
  const at = k === 'dir' && !line.links.has(linkAbs) ? posix.join(linkAbs, posix.basename(targetAbs)) : linkAbs;
  const real = env.fs.realpath(targetAbs) ?? targetAbs;
  line.links.set(at, real);
}

export function notePrecious(env: Environment, line: LineState, path: string): void {
  line.precious.add(absolutize(path, env));
}

export function noteDir(env: Environment, line: LineState, path: string): void {
  line.dirs.add(absolutize(path, env));
}
