/**
 * VS Code's own activation figure for an extension, as "Developer: Show Running Extensions" shows it
 * (the workbench's runtime extensions editor): "Activation: N ms" (or "Startup Activation: N ms" for
 * an extension activated at startup), where N = codeLoadingTime + activateCallTime that the extension
 * host measured and sent to the workbench ($onDidActivateExtension):
 *   - codeLoadingTime: require() of the extension's main module (read, compile, evaluate);
 *   - activateCallTime: the synchronous call of activate() (until it returns its value or promise).
 * Not in it: VS Code's work before the load, and the extension context (globalState / workspaceState
 * read from the workbench over RPC), which the extension host builds in parallel with the load and
 * waits for before it calls activate(). activateResolvedTime (the returned promise settling) is not
 * shown. Read from the real workbench in the page (code-server 4.117: VS Code 1.117's
 * AbstractRuntimeExtensionsEditor; its rows are `.runtime-extensions-editor .monaco-list-row` with
 * `.name` and `.activation-time`).
 */
import type { VsCode } from '../test/support/vscode';
import { until } from '../test/support/vscode';

export interface RunningExtension {
  name: string;
  /** The row's activation text as shown ("Activation: 3ms", "Activating...", ...). */
  time: string;
  /** N of "… Activation: Nms", when shown. */
  ms?: number;
}

/** Parse "Activation: 12ms" / "Startup Activation: 12ms". */
export function activationText(text: string): number | undefined {
  const m = /Activation: (\d+)\s*ms/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Open "Developer: Show Running Extensions" and read the rows until `displayName`'s row shows an
 * activation time (the list is virtual: it is scrolled to find the row). Returns that row and every
 * row seen (all the extensions the host has activated).
 */
export async function runningExtensions(vs: VsCode, displayName: string, ms = 30_000): Promise<{ row: RunningExtension & { ms: number }; rows: RunningExtension[] }> {
  await vs.runCommand('Developer: Show Running Extensions');
  const list = vs.page.locator('.runtime-extensions-editor');
  await list.first().waitFor({ state: 'visible', timeout: ms });
  const seen = new Map<string, RunningExtension>();
  let misses = 0;
  const row = await until(`the Running Extensions row of "${displayName}" with its activation time`, async () => {
    const rows = await vs.page.$$eval('.runtime-extensions-editor .monaco-list-row', (els) => els.map((e) => ({ name: (e.querySelector('.name')?.textContent ?? '').trim(), time: (e.querySelector('.activation-time')?.textContent ?? '').trim() })));
    for (const r of rows) seen.set(r.name, { ...r, ...(activationText(r.time) !== undefined ? { ms: activationText(r.time) } : {}) });
    const hit = seen.get(displayName);
    if (hit?.ms !== undefined) return hit as RunningExtension & { ms: number };
    // Not rendered (below the fold) or still "Activating...": scroll down, and back to the top now and then.
    const box = await list.first().boundingBox();
    if (box) {
      await vs.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await vs.page.mouse.wheel(0, ++misses % 8 === 0 ? -10_000 : 400);
    }
    return undefined;
  }, ms);
  return { row, rows: [...seen.values()] };
}
