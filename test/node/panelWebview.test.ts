// The run log webview in headless Chromium against a real 100,000-step ledger: bounded DOM,
// paging on scroll, keyboard, filters, search, export, approval cards and their gestures.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pendingCard, type PendingCard } from '../../src/core/present';
import { emptyFlags } from '../../src/core/effects';
import type { WebviewToHost } from '../../src/core/protocol/panel';
import { LedgerQueries } from '../../src/node/ledger/queries';
import { writeFileSync } from 'node:fs';
import { cachedPanelLedger, type PanelFixture } from '../support/panelFixture';
import { CHROMIUM, startPanel, type PanelHarness } from '../support/panelHarness';

const N = 100_000;
const artifacts = join(__dirname, '..', '..', '.test-artifacts');

function card(stepId: string, over: Partial<Parameters<typeof pendingCard>[0]['decision']> = {}, sql = 'DELETE FROM sessions WHERE expired'): PendingCard {
  return pendingCard({
    runId: 'r', stepId, agent: 'claude', toolName: 'mcp__db__query', deadlineAt: Date.now() + 120_000,
    action: { kind: 'sql', sql, dialect: 'postgres' },
    description: 'clean up old sessions',
    decision: { decision: 'ask', reversibility: 'reversible', effects: [{ kind: 'delete', reversibility: 'reversible', detail: 'deletes rows from sessions (before-image kept)' }], flags: emptyFlags(), reasons: ['writes a database'], rules: ['baseline.sql-write'], commands: [], cacheable: true, actionHash: `hash-${stepId}`, policyHash: 'p', snapshots: [], ...over },
  });
}

describe('run log webview (headless Chromium, 100,000-step run)', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let dir: string;
  let f: PanelFixture;
  let q: LedgerQueries;
  let p: PanelHarness;
  const exportPath = (): string => join(dir, 'export.json');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-panel-w-'));
    f = cachedPanelLedger(dir, N);
    q = LedgerQueries.open(f.path);
    p = await startPanel({
      queries: q,
      ui: {
        pickExportTarget: async () => exportPath(),
        writeExport: async (target, chunks) => {
          writeFileSync(target, '');
          for (const c of chunks) writeFileSync(target, c, { flag: 'a' });
        },
      },
    });
  });
  after(async () => {
    await p?.close();
    q?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsInDom = (): Promise<number> => p.page.locator('.vrow:not([hidden])').count();
  const pageReq = (offset: number, pred: (m: Extract<WebviewToHost, { type: 'pageSteps' }>) => boolean = () => true) => (m: WebviewToHost): boolean => m.type === 'pageSteps' && m.offset === offset && pred(m);

  it('sends ready first, lists runs, and opens one with the keyboard (arrows + Enter)', async () => {
    await p.waitFor((m) => m.type === 'listRuns');
    assert.deepEqual(p.received[0], { type: 'ready' });
    await p.page.locator('.runs li').nth(1).waitFor();
    assert.equal(await p.page.locator('.runs li').count(), 2);
    await p.page.locator('.runs').focus();
    await p.page.keyboard.press('ArrowDown');
    assert.equal(await p.page.locator('.runs li.active').getAttribute('data-run'), f.bigRun);
    await p.page.keyboard.press('Enter');
    await p.waitFor((m) => m.type === 'openRun' && m.runId === f.bigRun);
    await p.waitFor(pageReq(0));
    await p.page.locator(`.vrow[data-seq="${f.steps[0]!.seq}"]`).waitFor();
    assert.match((await p.page.locator('[role=status].count').textContent()) ?? '', /^100,000 of 100,000 steps$/);
  });

  it('renders a bounded number of rows for 100,000 steps', async () => {
    const n = await rowsInDom();
    assert.ok(n > 10 && n < 80, `rows in the DOM: ${n}`);
    assert.equal(await p.page.locator('.vlist').getAttribute('aria-setsize'), String(N));
  });

  it('scrolling to the middle requests exactly the pages in view and shows their rows', async () => {
    p.received.length = 0;
    await p.page.locator('.vlist').evaluate((el) => (el.scrollTop = 50_000 * 26));
    const target = f.steps[50_000]!;
    await p.page.locator(`.vrow[data-seq="${target.seq}"]`).waitFor();
    const pages = p.received.filter((m): m is Extract<WebviewToHost, { type: 'pageSteps' }> => (m as WebviewToHost).type === 'pageSteps').map((m) => m.offset);
    // rows 49,994… are in view (with overscan): pages at offsets 49,800 and 50,000 only
    assert.deepEqual([...new Set(pages)].sort((a, b) => a - b), [49_800, 50_000]);
    assert.ok((await rowsInDom()) < 80);
    const text = await p.page.locator(`.vrow[data-seq="${target.seq}"]`).textContent();
    assert.ok(text?.includes(target.text), `row text ${text}`);
  });

  it('End, arrows and Enter move through the list and open a step detail', async () => {
    await p.page.locator('.vlist').focus();
    p.received.length = 0;
    await p.page.keyboard.press('End');
    await p.waitFor(pageReq(99_800));
    const last = f.steps[N - 1]!;
    await p.page.locator(`.vrow.active[data-seq="${last.seq}"]`).waitFor();
    assert.equal(await p.page.locator('.vrow.active').getAttribute('aria-posinset'), String(N));
    await p.page.keyboard.press('ArrowUp');
    await p.page.keyboard.press('ArrowUp');
    const active = p.page.locator('.vrow.active');
    assert.equal(await active.getAttribute('data-seq'), String(f.steps[N - 3]!.seq));
    assert.equal(await p.page.locator('.vlist').getAttribute('aria-activedescendant'), await active.getAttribute('id'));
    await p.page.keyboard.press('Enter');
    await p.waitFor((m) => m.type === 'stepDetail');
    await p.page.locator('.detail h3').waitFor();
    assert.equal(await p.page.locator('.detail h3').textContent(), `Step #${f.steps[N - 3]!.seq} · ${f.steps[N - 3]!.tool}`);
  });

  it('filters by decision and searches (case-insensitive) through the host', async () => {
    p.received.length = 0;
    await p.page.locator('.chip.d-deny').click();
    await p.waitFor(pageReq(0, (m) => JSON.stringify(m.filters.decisions) === '["deny"]'));
    const denied = f.steps.filter((s) => s.decision === 'deny').length;
    await p.page.locator('[role=status].count', { hasText: `${denied.toLocaleString('en-US')} of 100,000 steps` }).waitFor();
    await p.page.locator('.chip.d-deny').click(); // off again
    await p.page.locator('.search').fill('NEEDLE-xyz');
    await p.waitFor(pageReq(0, (m) => m.filters.q === 'NEEDLE-xyz' && !m.filters.decisions));
    await p.page.locator('[role=status].count', { hasText: '1 of 100,000 steps' }).waitFor();
    assert.equal(await rowsInDom(), 1);
    assert.equal(await p.page.locator('.vrow').first().getAttribute('data-seq'), String(f.needleSeq));
    await p.page.locator('.search').fill('');
    await p.page.locator('[role=status].count', { hasText: '100,000 of 100,000 steps' }).waitFor();
  });

  it('exports the run to JSON through the host (save target from the editor)', async () => {
    await p.page.locator('[data-action=export]').click();
    await p.page.locator('[role=status].count', { hasText: 'exported 100,000 steps' }).waitFor({ timeout: 60_000 });
    const doc = JSON.parse(readFileSync(exportPath(), 'utf8')) as { run: { id: string }; steps: Array<{ event: string }> };
    assert.equal(doc.run.id, f.bigRun);
    assert.equal(doc.steps.filter((s) => s.event === 'pre').length, N);
  });

  it('a routine card approves with one click; the host hands the decision to the gate', async () => {
    p.setPending([card('step-routine')]);
    await p.page.locator('[data-step="step-routine"]').waitFor();
    assert.equal(await p.page.locator('[data-step="step-routine"] .card-claim').textContent(), 'Agent says (unverified): clean up old sessions');
    p.received.length = 0;
    await p.page.locator('[data-step="step-routine"] [data-action=approve]').click();
    const m = await p.waitFor((x) => x.type === 'decide');
    assert.deepEqual({ ...m, requestId: 'x' }, { type: 'decide', requestId: 'x', stepId: 'step-routine', decision: 'allow', actionHash: 'hash-step-routine', gesture: 'click', scope: 'once' });
    // decided, so the host's next pendingApprovals no longer has it: the card goes away
    await p.page.locator('[data-step="step-routine"]').waitFor({ state: 'detached' });
    assert.deepEqual(p.decisions.map((d) => [d.stepId, d.answer.decision]), [['step-routine', 'allow']]);
  });

  it('an irreversible card looks different, reveals invisible characters, and needs the typed word: Enter never approves', async () => {
    const irr = card('step-drop', { reversibility: 'irreversible', cacheable: false, effects: [{ kind: 'delete', reversibility: 'irreversible', detail: 'drops table orders' }] }, 'DROP TABLE orders;\u202E --');
    p.setPending([irr]);
    const el = p.page.locator('[data-step="step-drop"]');
    await el.waitFor();
    assert.ok(await el.evaluate((e) => e.classList.contains('card-deliberate')));
    assert.equal(await el.locator('.card-effect').textContent(), 'drops table orders');
    assert.equal(await el.locator('.invisible-char').textContent(), '⟨U+202E RLO⟩');
    assert.equal(await p.page.evaluate("document.activeElement && document.activeElement.closest('.card') ? 'card' : 'elsewhere'"), 'elsewhere', 'nothing on the card is focused by default');
    const approve = el.locator('[data-action=approve]');
    assert.equal(await approve.isDisabled(), true);
    assert.equal(await el.locator('[data-action=approve-run]').count(), 0, 'no "allow for this run" on irreversible cards');
    const before = p.decisions.length;
    p.received.length = 0;
    await el.locator('.confirm-input').fill('approv');
    await el.locator('.confirm-input').press('Enter');
    assert.equal(await approve.isDisabled(), true);
    await el.locator('.confirm-input').fill('approve');
    assert.equal(await approve.isDisabled(), false);
    await el.locator('.confirm-input').press('Enter');
    await approve.focus();
    await p.page.keyboard.press('Enter');
    await p.page.waitForTimeout(300);
    assert.equal(p.received.filter((m) => (m as WebviewToHost).type === 'decide').length, 0, 'Enter sent no decision');
    await p.page.screenshot({ path: join(artifacts, 'panel-approval-card.png') });
    await approve.click();
    const m = await p.waitFor((x) => x.type === 'decide');
    assert.equal(m.type === 'decide' && m.gesture, 'typed');
    await el.waitFor({ state: 'detached' });
    assert.equal(p.decisions.length, before + 1);
  });

  it('the host refuses a forged click-approval of an irreversible card and a stale hash; invalid messages are dropped', async () => {
    const irr = card('step-force', { reversibility: 'irreversible', cacheable: false });
    p.setPending([irr]);
    await p.page.locator('[data-step="step-force"]').waitFor();
    const before = p.decisions.length;
    const forge = (m: unknown): Promise<void> => p.page.evaluate((x) => (window as unknown as { __airlockPost: (m: unknown) => void }).__airlockPost(x), m);
    await forge({ type: 'decide', requestId: 'f1', stepId: 'step-force', decision: 'allow', actionHash: irr.actionHash, gesture: 'click', scope: 'once' });
    await forge({ type: 'decide', requestId: 'f2', stepId: 'step-force', decision: 'allow', actionHash: 'other-hash', gesture: 'typed', scope: 'once' });
    await forge({ type: 'decide', requestId: 'f3', stepId: 'step-force', decision: 'allow-all' });
    await forge({ type: 'approveEverything' });
    await p.page.waitForTimeout(300);
    assert.equal(p.decisions.length, before);
    assert.ok(p.consoleLines.some((l) => l.includes('refused allow for step-force: irreversible and security-config actions need the typed confirmation')));
    assert.ok(p.consoleLines.some((l) => l.includes('refused allow for step-force: the action changed')));
    assert.ok(p.consoleLines.filter((l) => l.includes('dropped a malformed message')).length >= 2);
    // host -> webview garbage is dropped by the webview
    await p.page.evaluate(() => window.postMessage({ type: 'pendingApprovals', cards: [{ stepId: 1 }] }, '*'));
    await p.page.waitForTimeout(200);
    assert.ok(p.consoleLines.some((l) => l.includes('dropped an invalid message from the host')));
    assert.equal(await p.page.locator('[data-step="step-force"]').count(), 1, 'the valid card is still shown');
  });

  it('shows the gate state; the CSP blocked nothing of ours; screenshot', async () => {
    p.setState({ gate: 'killed', reason: 'kill switch pulled', pending: 1 });
    await p.page.locator('.gate-killed', { hasText: 'killed — kill switch pulled · 1 pending' }).waitFor();
    const bad = p.consoleLines.filter((l) => !l.startsWith('host ') && /Content Security Policy|pageerror|Refused/i.test(l));
    assert.deepEqual(bad, []);
    mkdirSync(artifacts, { recursive: true });
    await p.page.locator('.vlist').evaluate((el) => (el.scrollTop = 1234 * 26));
    await p.page.waitForTimeout(500);
    await p.page.screenshot({ path: join(artifacts, 'panel-run-100k.png') });
    assert.ok(existsSync(join(artifacts, 'panel-run-100k.png')));
  });
});
