/**
 * A small strict validator for the hook shim's hot path. The shim starts once per agent tool call,
 * and importing zod costs it about 40 ms of start-up (module evaluation plus compiling its bundle),
 * more than the rest of the online path together. The dialect payload schemas are written with
 * these few combinators instead; the semantics are zod's where both exist (an `obj` keeps only its
 * declared keys, like z.object; `def` fills a missing or undefined value; strings are measured in
 * UTF-16 units), and test/unit/hookCheck.spec.ts holds them against zod on the same inputs.
 *
 * Architecture Invariant: nothing on the shim's online path imports zod (test/node/hookBundle.test.ts
 * checks the dist/hook.js bundle). The offline judge (dist/offline.js) and `airlock check` check the
 * action with core/actionCheck.ts, built from these combinators and held equal to the zod Action
 * schema by test/unit/actionCheck.spec.ts; zod stays the boundary everywhere else.
 */

export interface Issue {
  path: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** A check: returns the (possibly rebuilt) value, or records issues and returns FAIL. */
export interface Check<T> {
  run(v: unknown, path: string, issues: Issue[]): T | typeof FAIL;
  /** true when an absent key is fine (optional or defaulted). */
  readonly optional?: boolean;
}

export type Out<C> = C extends Check<infer T> ? T : never;

export const FAIL: unique symbol = Symbol('check failed');

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const at = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));

export function str(min = 0, max = Number.MAX_SAFE_INTEGER, pattern?: { re: RegExp; message: string }): Check<string> {
  return {
    run(v, path, issues) {
      if (typeof v !== 'string') return bad(issues, path, `expected string, received ${kind(v)}`);
      if (v.length < min) return bad(issues, path, `too short: expected at least ${min} characters`);
      if (v.length > max) return bad(issues, path, `too long: expected at most ${max} characters`);
      if (pattern && !pattern.re.test(v)) return bad(issues, path, pattern.message);
      return v;
    },
  };
}

/** A finite number; `int` and `min` (inclusive) / `positive` as zod's .int(), .min(), .positive(). */
export function num(o: { int?: boolean; min?: number; positive?: boolean } = {}): Check<number> {
  return {
    run(v, path, issues) {
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad(issues, path, `expected number, received ${kind(v)}`);
      if (o.int && !Number.isSafeInteger(v)) return bad(issues, path, 'expected an integer');
      if (o.min !== undefined && v < o.min) return bad(issues, path, `too small: expected >= ${o.min}`);
      if (o.positive && !(v > 0)) return bad(issues, path, 'too small: expected > 0');
      return v;
    },
  };
}

export function lit<const T extends string | number | boolean>(value: T): Check<T> {
  return {
    run: (v, path, issues) => (v === value ? value : bad(issues, path, `expected ${JSON.stringify(value)}`)),
  };
}

export function oneOf<const T extends readonly string[]>(values: T): Check<T[number]> {
  return {
    run(v, path, issues) {
      if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T[number];
      return bad(issues, path, `expected one of ${values.map((x) => JSON.stringify(x)).join('|')}`);
    },
  };
}

export const unknown: Check<unknown> = { run: (v) => v, optional: true };

/** A plain JSON object with any values (zod: z.record(z.string(), z.unknown())). */
export const record: Check<Record<string, unknown>> = {
  run(v, path, issues) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(issues, path, `expected object, received ${kind(v)}`);
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return bad(issues, path, 'expected a plain object');
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = (v as Record<string, unknown>)[k];
    return out;
  },
};

export function arr<T>(item: Check<T>, max = Number.MAX_SAFE_INTEGER): Check<T[]> {
  return {
    run(v, path, issues) {
      if (!Array.isArray(v)) return bad(issues, path, `expected array, received ${kind(v)}`);
      if (v.length > max) return bad(issues, path, `too big: expected at most ${max} items`);
      const out: T[] = [];
      let failed = false;
      v.forEach((x, i) => {
        const r = item.run(x, at(path, i), issues);
        if (r === FAIL) failed = true;
        else out.push(r);
      });
      return failed ? FAIL : out;
    },
  };
}

export function opt<T>(c: Check<T>): Check<T | undefined> {
  return { run: (v, path, issues) => (v === undefined ? undefined : c.run(v, path, issues)), optional: true };
}

export function def<T>(c: Check<T>, fallback: () => NoInfer<T>): Check<T> {
  return { run: (v, path, issues) => (v === undefined ? fallback() : c.run(v, path, issues)), optional: true };
}

/** The first alternative that accepts the value (zod: z.union). */
export function either<A, B>(a: Check<A>, b: Check<B>): Check<A | B> {
  return {
    run(v, path, issues) {
      const ia: Issue[] = [];
      const ra = a.run(v, path, ia);
      if (ra !== FAIL) return ra;
      const ib: Issue[] = [];
      const rb = b.run(v, path, ib);
      if (rb !== FAIL) return rb;
      return bad(issues, path, `no alternative matched (${[...ia, ...ib].map((i) => i.message).join(' / ')})`);
    },
  };
}

type Shape = Record<string, Check<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Out<S[K]> ? K : never }[keyof S];
export type ObjOut<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Out<S[K]> } & { [K in OptionalKeys<S>]?: Out<S[K]> };

/**
 * An object with these keys; others are dropped from the result (zod: z.object, strip mode), or
 * refused with `strict` (zod: z.strictObject).
 */
export function obj<S extends Shape>(shape: S, o: { strict?: boolean } = {}): Check<ObjOut<S>> {
  return {
    run(v, path, issues) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(issues, path, `expected object, received ${kind(v)}`);
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      let failed = false;
      if (o.strict) {
        const extra = Object.keys(src).filter((k) => !Object.prototype.hasOwnProperty.call(shape, k));
        if (extra.length) {
          bad(issues, path, `unrecognized key${extra.length > 1 ? 's' : ''}: ${extra.slice(0, 4).map((k) => JSON.stringify(k)).join(', ')}`);
          failed = true;
        }
      }
      for (const [k, c] of Object.entries(shape)) {
        const has = Object.prototype.hasOwnProperty.call(src, k);
        const r = c.run(has ? src[k] : undefined, at(path, k), issues);
        if (r === FAIL) failed = true;
        else if (r !== undefined) out[k] = r;
      }
      return failed ? FAIL : (out as ObjOut<S>);
    },
  };
}

export function check<T>(c: Check<T>, v: unknown): Checked<T> {
  const issues: Issue[] = [];
  const r = c.run(v, '', issues);
  if (r === FAIL) return { ok: false, issues: issues.length ? issues : [{ path: '', message: 'invalid' }] };
  return { ok: true, value: r };
}

/** The first issues, as `path: message` (the shape formatZod gave). */
export function formatIssues(issues: Issue[]): string {
  return issues
    .slice(0, 4)
    .map((i) => `${i.path || '(root)'}: ${i.message}`)
    .join('; ');
}

function bad(issues: Issue[], path: string, message: string): typeof FAIL {
  issues.push({ path, message });
  return FAIL;
}
