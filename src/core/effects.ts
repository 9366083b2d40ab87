/**
 * Effects and reversibility: the vocabulary every classifier speaks.
 *
 * An Effect is one thing an action would actually do, found by parsing (never by matching the raw
 * string). The reversibility of an action as a whole is the worst of its effects' reversibilities.
 *
 * Architecture Invariant: `unknown` ranks above `irreversible`, so anything that could not be
 * analysed is treated at least as strictly as a known destructive action.
 */

export const REVERSIBILITIES = ['read', 'reversible', 'recoverable', 'irreversible', 'unknown'] as const;
export type Reversibility = (typeof REVERSIBILITIES)[number];

const RANK: Record<Reversibility, number> = {
  read: 0,
  reversible: 1,
  recoverable: 2,
  irreversible: 3,
  unknown: 4,
};

export function rankOf(r: Reversibility): number {
  return RANK[r];
}

/** The worse (higher-ranked) of two reversibilities. */
export function worse(a: Reversibility, b: Reversibility): Reversibility {
  return RANK[a] >= RANK[b] ? a : b;
}

export const EFFECT_KINDS = [
  'read', // reads data (files, rows, remote state) without changing it
  'create', // creates something that did not exist (undo = remove it)
  'write', // modifies existing data in place (files, rows, config)
  'overwrite', // replaces existing content wholesale (`>` onto a file, mv/cp over a file)
  'delete', // removes data
  'exec', // runs code: the project's own, or (with the `exec` flag) code nobody has read
  'network', // sends data off the machine or mutates remote state
  'permissions', // chmod/chown/grants
  'process', // kills or signals processes, changes services
  'unknown', // could not analyse
] as const;
export type EffectKind = (typeof EFFECT_KINDS)[number];

/**
 * One derived effect. `target` is what it acts on (an absolute path, a URL, a table, a remote
 * resource); `detail` is a short human sentence shown to the person who approves.
 */
export interface Effect {
  kind: EffectKind;
  reversibility: Reversibility;
  detail: string;
  target?: string;
  /** The program (argv[0], canonical) or SQL statement type that produced the effect. */
  source?: string;
  outsideWorkspace?: boolean;
  securityConfig?: boolean;
  secrets?: boolean;
  network?: boolean;
  /** Runs code nobody has read (downloaded, piped into a shell, inline, from outside the workspace). */
  exec?: boolean;
  /**
   * Airlock itself could make this effect reversible before it runs (snapshot of files inside the
   * workspace, before-image of rows). The judge only counts it when the caller can take snapshots.
   */
  snapshotable?: boolean;
  /**
   * Work that leaves the gate's reach: an agent started in a mode that approves its own actions, the
   * supervising extension disabled or uninstalled (T52, T65). The judge denies it.
   */
  escapesGate?: boolean;
  /** Work that outlives the kill switch: detached, scheduled or restarted processes (T55/T56). At least ask. */
  persists?: boolean;
}

export interface Flags {
  outsideWorkspace: boolean;
  securityConfig: boolean;
  secrets: boolean;
  network: boolean;
  exec: boolean;
}

/** The result of classifying one action. */
export interface Classification {
  reversibility: Reversibility;
  effects: Effect[];
  flags: Flags;
  /** Why the classification is what it is when that is not obvious from effects (parse errors…). */
  reasons: string[];
  /** Every program found anywhere in the action (shell), canonical names, in order of appearance. */
  commands: string[];
  /** Files read to judge what will run ({path, sha256}, sorted): an approval is bound to their content. */
  files?: Array<{ path: string; sha256: string }>;
  /** Files looked inside and what they run (for `airlock policy explain`). */
  looked?: Array<{ depth: number; what: string; path: string; sha256: string; runs: string[]; reversibility: Reversibility; note?: string }>;
  /** Programs in no table that a person may trust in this workspace (src/core/trust.ts). */
  trustable?: string[];
}

export function emptyFlags(): Flags {
  return { outsideWorkspace: false, securityConfig: false, secrets: false, network: false, exec: false };
}

/** Builds a Classification from effects: reversibility is the worst effect, flags are the union. */
export function summarize(effects: Effect[], reasons: string[] = [], commands: string[] = []): Classification {
  let reversibility: Reversibility = 'read';
  const flags = emptyFlags();
  for (const e of effects) {
    reversibility = worse(reversibility, e.reversibility);
    if (e.outsideWorkspace) flags.outsideWorkspace = true;
    if (e.securityConfig) flags.securityConfig = true;
    if (e.secrets) flags.secrets = true;
    if (e.network || e.kind === 'network') flags.network = true;
    if (e.exec) flags.exec = true;
  }
  return { reversibility, effects, flags, reasons, commands };
}

/** A classification for input that could not be analysed: always `unknown`, with the reason. */
export function unknownClassification(reason: string, commands: string[] = []): Classification {
  return summarize([{ kind: 'unknown', reversibility: 'unknown', detail: `could not analyze: ${reason}` }], [`could not analyze: ${reason}`], commands);
}
