/**
 * T43: overwrites hidden in options of programs that otherwise only read. `sort -o FILE`, `uniq IN
 * OUT`, `shuf -o`, `split`/`csplit` prefixes, `iconv -o`, `jq … > ` aside, these name their output
 * file in an option or a second operand. An existing output file is overwritten (irreversible, or
 * reversible with a snapshot); a new one is created.
 */
import { pathEffect } from '../shellContext.js';
import type { ShWord } from '../shellWords.js';
import { optValue, positionals } from './common.js';
import type { Family } from './types.js';
import { absolutize } from '../../../paths.js';
import { missingMeansFailure } from '../../inside/insideState.js';

function output(c: Parameters<Family>[0], w: ShWord, note: string): void {
  const kind = w.unknownVars.length || w.subst ? 'file' : c.ctx.env.fs.kind(absolutize(w.text, c.ctx.env));
  if (/^\/dev\/(null|stdout|stderr)$/.test(w.text)) return;
  pathEffect(c.ctx, kind === 'file' ? 'overwrite' : 'create', w, c.name, note);
}

export const hiddenOverwrites: Family = (c) => {
  const { name, args } = c;
  // These programs parse every option before touching a file: --help/--version print and exit.
  if (args.some((a) => a.literal && (a.text === '--help' || a.text === '--version'))) return false;
  switch (name) {
    case 'sort':
    case 'shuf':
    case 'iconv':
    case 'pandoc':
    case 'xsltproc': {
      const o = optValue(args, ['-o', '--output']);
      if (o) output(c, o, ` (${name} -o)`);
      return false;
    }
    case 'uniq': {
      const p = positionals(args, new Set(['-f', '--skip-fields', '-s', '--skip-chars', '-w', '--check-chars']));
      if (p.length >= 2 && p[1]!.text !== '-') output(c, p[1]!, ' (uniq OUTPUT operand)');
      return false;
    }
    case 'split':
    case 'csplit': {
      const p = positionals(args, new Set(['-l', '-b', '-n', '-a', '-C', '-d', '--additional-suffix', '-f', '--prefix', '-t', '--separator', '--filter']));
      // Both open their input before writing anything: an input that does not exist (inside the
      // workspace, and nothing earlier in the line could create it) makes them fail with no output.
      const input = p[0];
      if (input && input.literal && !input.unknownVars.length && !input.subst && !input.glob && input.text !== '-') {
        const abs = absolutize(input.text, c.ctx.env);
        if (c.ctx.env.fs.kind(abs) === undefined && missingMeansFailure(c.ctx, abs)) return false;
      }
      const prefix = name === 'csplit' ? optValue(args, ['-f', '--prefix'])?.text ?? 'xx' : p[1]?.text ?? 'x';
      pathEffect(c.ctx, 'overwrite', { text: `${prefix}*`, literal: false, unknownVars: [], subst: false, glob: true }, name, ` (writes ${prefix}aa, ${prefix}ab… over existing files)`);
      return false;
    }
    default:
      return false;
  }
};
