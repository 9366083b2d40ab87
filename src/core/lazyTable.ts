/**
 * A lookup table built on first use instead of when its module loads.
 *
 * Some classifier tables are hundreds of object literals (DEV_TOOLS: ~300 tools, their subcommands
 * and flags). V8 builds every literal's boilerplate the first time the code runs, which cost each
 * short-lived process (the offline hook, `airlock check`) several milliseconds even when the command
 * it judged (`ls -la`) never looked at the table. `lazyTable(() => ({ … }))` returns a stand-in that
 * builds the table on the first read and forwards every read to it: `T[name]`, `name in T`,
 * `Object.keys(T)` behave as on the table itself. The stand-in is read-only.
 */
export function lazyTable<T extends object>(build: () => T): T {
  let real: T | undefined;
  const get = (): T => (real ??= build());
  return new Proxy({} as T, {
    get: (_t, key) => Reflect.get(get(), key),
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      // The stand-in's own target has no such property: a proxy may report it only as configurable.
      return d && { ...d, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}
