/** Small helpers shared by the effect families. */
import type { ShWord } from '../shellWords.js';

/** Positional words (not options) of an argv tail; `--` ends options. */
export function positionals(args: ShWord[], withArg: ReadonlySet<string> = new Set()): ShWord[] {
  const out: ShWord[] = [];
  let done = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (done) out.push(args[i]!);
    else if (a === '--') done = true;
    else if (a.startsWith('-') && a !== '-') {
      if (withArg.has(a)) i++;
    } else out.push(args[i]!);
  }
  return out;
}

/** Does any word equal one of `flags` (or `--flag=value`), or bundle one of the short `letters`? */
export function hasOpt(args: ShWord[], flags: string[], letters = ''): boolean {
  return args.some((w) => {
    const a = w.text;
    if (flags.some((f) => a === f || (f.startsWith('--') && a.startsWith(f + '=')))) return true;
    return letters.length > 0 && /^-[a-zA-Z]+$/.test(a) && [...letters].some((l) => a.slice(1).includes(l));
  });
}

/** The value of an option given as `--opt v`, `--opt=v` or `-o v` / `-ov`. */
export function optValue(args: ShWord[], names: string[]): ShWord | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    for (const n of names) {
      if (a === n) return args[i + 1];
      if (n.startsWith('--') && a.startsWith(n + '=')) return { ...args[i]!, text: a.slice(n.length + 1) };
      if (!n.startsWith('--') && n.length === 2 && a.startsWith(n) && a.length > 2) return { ...args[i]!, text: a.slice(2) };
    }
  }
  return undefined;
}

export const word = (text: string): ShWord => ({ text, literal: true, unknownVars: [], subst: false, glob: false });

/** npm package name without version or scope noise: `@scope/pkg@1.2` -> `@scope/pkg`, `prisma@5` -> `prisma`. */
export function packageName(spec: string): string {
  const at = spec.startsWith('@') ? spec.indexOf('@', 1) : spec.indexOf('@');
  return (at > 0 ? spec.slice(0, at) : spec).toLowerCase();
}

/** The package managers' own commands (anything else after `yarn`/`pnpm`/`bun` is a bin or a script). */
const PM_VERBS = new Set(
  ('add install i ci remove rm un uninstall run run-script test t start stop restart exec dlx x build init create publish unpublish link unlink upgrade up update ' +
    'upgrade-interactive outdated list ls why info view config c cache audit pack version versions workspace workspaces set plugin patch patch-commit import global ' +
    'node bin store prune rebuild rb dedupe licenses login logout owner tag team unplug pm help env root setup doctor fetch deploy recursive -r pkg set-script ' +
    'completion constraints explain npm policies search sbom whoami').split(' '),
);

/**
 * The tool a launcher runs: `npx prisma …`, `pnpm exec knex …`, `bundle exec rails …`, `poetry run
 * alembic …`, `python -m django …`. Returns the tool's name and its arguments, or undefined.
 */
export function launched(name: string, args: ShWord[]): { tool: string; args: ShWord[] } | undefined {
  const t = args.map((a) => a.text);
  const firstPos = (from: number): number => {
    let i = from;
    while (i < t.length && t[i]!.startsWith('-')) i += /^(-p|--package|-c|--call|--node-options)$/.test(t[i]!) ? 2 : 1;
    return i;
  };
  // A scoped package keeps its scope; a path (`bin/rails`, `./manage.py`) is named by its last segment.
  const at = (i: number) => (i < t.length ? { tool: t[i]!.startsWith('@') ? packageName(t[i]!) : packageName(t[i]!.split('/').pop()!), args: args.slice(i + 1) } : undefined);
  switch (name) {
    case 'npx':
    case 'pnpx':
    case 'bunx':
    case 'uvx':
      return at(firstPos(0));
    case 'npm':
      return t[0] === 'exec' || t[0] === 'x' ? at(firstPos(1)) : undefined;
    case 'pnpm':
    case 'yarn':
    case 'bun': {
      if (t[0] === 'exec' || t[0] === 'dlx' || t[0] === 'x') return at(firstPos(1));
      // `yarn prisma …`, `pnpm knex …`: a word that is not one of the manager's own commands runs that bin.
      if (t[0] !== undefined && !t[0].startsWith('-') && !PM_VERBS.has(t[0].toLowerCase()) && !t[0].includes('/')) return at(0);
      return undefined;
    }
    case 'docker':
    case 'podman':
    case 'docker-compose': {
      // `docker compose exec|run [opts] SERVICE cmd…`, `docker exec [opts] CONTAINER cmd…`: the tool inside.
      const start = name === 'docker-compose' ? 0 : t[0] === 'compose' ? 1 : 0;
      if (!(t[start] === 'exec' || t[start] === 'run' || (t[0] === 'container' && t[1] === 'exec'))) return undefined;
      if (name !== 'docker-compose' && start === 0 && t[0] === 'run') return undefined; // `docker run IMAGE`: the image's own command
      let i = t[0] === 'container' ? 2 : start + 1;
      while (i < t.length && t[i]!.startsWith('-')) i += /^(-e|--env|-u|--user|-w|--workdir|--env-file|--index|-p|--publish|-v|--volume|--name|--entrypoint|-l|--label)$/.test(t[i]!) ? 2 : 1;
      return at(i + 1);
    }
    case 'bundle':
    case 'poetry':
    case 'pipenv':
    case 'uv':
    case 'pdm':
    case 'hatch':
      return t[0] === 'exec' || t[0] === 'run' ? at(firstPos(1)) : undefined;
    default:
      return undefined;
  }
}
