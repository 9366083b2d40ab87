/** What a family of programs is handed by the dispatcher, and what it returns. */
import type { Ctx } from '../shellContext.js';
import type { ScriptRunner, Stdin } from '../shellTypes.js';
import type { ShWord } from '../shellWords.js';

export interface FamilyCall {
  /** Canonical program name (basename, lower case). */
  name: string;
  /** The path as written when the program was named by path (`bin/rails`, `./manage.py`). */
  local?: string;
  args: ShWord[];
  ctx: Ctx;
  stdin: Stdin;
  runScript: ScriptRunner;
}

/** A family returns true when it has fully handled the command. */
export type Family = (c: FamilyCall) => boolean;
