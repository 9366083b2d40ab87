/** The error a CLI command throws for bad arguments (main prints its message and exits 2). Its own module so the hook shim's lean bundle can use it without the action schemas. */
export class UsageError extends Error {}
