/**
 * Run log panel in headless Chromium with a 100,000-step run (real ledger, real queries, the
 * shipped bundle): first paint (navigation to the first timeline rows on screen, i.e. ready
 * handshake + runs + openRun + first page) and scroll (a jump to a random depth until its rows are
 * rendered from a freshly fetched page). Medians of several runs; the machine is shared and noisy.
 * Needs `npm run build` first (dist/webview) and Chromium at /usr/bin/chromium (AIRLOCK_CHROMIUM).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerQueries } from '../src/node/ledger/queries';
import { cachedPanelLedger } from '../test/support/panelFixture';
import { CHROMIUM, startPanel } from '../test/support/panelHarness';

export interface PanelFigures {
  steps: number;
  /** Navigation to the runs list painted (bundle load, ready handshake, runs query). */
  firstPaintMs: number;
  /** Click on the 100,000-step run to its first timeline rows on screen. */
  openRunMs: number;
  /** Jump to a random depth until those rows are rendered (includes the 40 ms scroll-settle wait and the page query). */
  scrollMs: number;
  domRows: number;
  runs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function panelFigures(runs = 5, steps = 100_000): Promise<PanelFigures | { skipped: string }> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-panel-'));
  const f = cachedPanelLedger(dir, steps);
  const q = LedgerQueries.open(f.path);
  const paints: number[] = [];
  const scrolls: number[] = [];
  const opens: number[] = [];
  let domRows = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const p = await startPanel({ queries: q });
      // First paint: navigation start to the runs list on screen, measured in the page's own clock.
      await p.page.locator('.runs li').nth(1).waitFor();
      paints.push(await p.page.evaluate('performance.now()') as number);
      const o0 = performance.now();
      await p.page.locator('.runs li').nth(1).click();
      await p.page.locator('.vrow[data-seq]').first().waitFor();
      opens.push(performance.now() - o0);
      for (let k = 0; k < 5; k++) {
        const idx = 1000 + Math.floor(((k + 1) / 6) * (steps - 2000)) + i * 37;
        const seq = f.steps[idx]!.seq;
        const s0 = performance.now();
        await p.page.locator('.vlist').evaluate((el, top) => (el.scrollTop = top), idx * 26);
        await p.page.locator(`.vrow[data-seq="${seq}"]`).waitFor();
        scrolls.push(performance.now() - s0);
      }
      domRows = await p.page.locator('.vrow:not([hidden])').count();
      await p.close();
    }
  } finally {
    q.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { steps, firstPaintMs: median(paints), openRunMs: median(opens), scrollMs: median(scrolls), domRows, runs };
}

if (require.main === module) {
  void panelFigures().then((r) => console.log(JSON.stringify(r)));
}
