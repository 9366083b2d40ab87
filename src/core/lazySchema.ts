/**
 * A zod schema built on first use instead of when its module loads.
 *
 * Building zod schemas is the largest part of loading the judge: the policy and action schemas took
 * ~30 ms of every short-lived process (the offline hook, `airlock check`), most of them schemas the
 * process never used (no policy file, a shell action). `lazySchema(() => z.…)` returns a stand-in
 * that builds the schema the first time anything reads it and forwards everything to it from then on,
 * so the export keeps its name, its type and its behaviour (parse, safeParse, shape, optional, …),
 * and a schema built from it (`z.array(Rule)`) simply holds the stand-in.
 *
 * The schema's registry metadata (`.describe()`) is copied onto the stand-in when it is built: the
 * JSON Schema generator looks descriptions up by identity, and it builds a schema before it reads them.
 */
import { z } from 'zod';

export function lazySchema<T extends z.ZodType>(build: () => T): T {
  let real: T | undefined;
  const target = {} as T;
  const get = (): T => {
    if (real === undefined) {
      const built = build();
      real = built;
      const meta = z.globalRegistry.get(built);
      if (meta !== undefined) z.globalRegistry.add(stand, meta);
    }
    return real;
  };
  const stand: T = new Proxy(target, {
    get: (_t, key) => Reflect.get(get(), key),
    has: (_t, key) => Reflect.has(get(), key),
    set: (_t, key, value) => Reflect.set(get(), key, value),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      // The stand-in's own target has no such property: a proxy may report it only as configurable.
      return d && { ...d, configurable: true };
    },
    defineProperty: (_t, key, d) => Reflect.defineProperty(get(), key, d),
    deleteProperty: (_t, key) => Reflect.deleteProperty(get(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
  });
  return stand;
}
