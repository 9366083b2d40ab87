/**
 * Types shared by the dispatcher and the tool modules. Kept apart so no module imports the
 * dispatcher back (the dispatcher imports the tool tables; they receive runners as parameters).
 */
import type { Ctx } from './shellContext.js';
import type { ShWord } from './shellWords.js';

import type { Listed } from './listing.js';
export type { Listed } from './listing.js';

/** What a command reads on its standard input. */
export type Stdin =
  | { kind: 'none' }
  /** `paths`: every line is a path under one of these roots, as printed; `listed`: the same, with name patterns (pipeInput.ts). */
  | { kind: 'pipe'; paths?: string[]; listed?: Listed[] }
  | { kind: 'file'; path: string }
  | { kind: 'text'; text: string; what: string; literal?: boolean };

/** Parses and classifies a nested script (sh -c, eval, trap, inline shell-outs). */
export type ScriptRunner = (src: string, ctx: Ctx, source: string) => void;

/** Classifies one nested argv (find -exec, wrappers) with the caller's stdin. */
export type ArgvRunner = (argv: ShWord[]) => void;
