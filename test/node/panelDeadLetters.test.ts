// The run log webview in headless Chromium: the ledger-integrity banner, and the dead letters of
// Airlock's own tools listed with Retry and Discard. The host side is the real controller, the real
// EditorTools (ToolRunner + EffectStore in SQLite) and a real GateHost gate; Retry goes through it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EditorTools } from '../../src/node/mcp/lmTools';
import { GateHost } from '../../src/node/gate/gateHost';
import { EffectStore } from '../../src/node/ledger/idempotency';
import { LedgerQueries } from '../../src/node/ledger/queries';
import { tempDir } from '../support/gateway';
import { CHROMIUM, startPanel, type PanelHarness } from '../support/panelHarness';

const artifacts = join(__dirname, '..', '..', '.test-artifacts');

describe('run log webview: integrity banner and dead letters (headless Chromium)', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let root: string;
  let ws: string;
  let host: GateHost;
  let store: EffectStore;
  let tools: EditorTools;
  let q: LedgerQueries;
  let p: PanelHarness;
  const ids: Record<string, number> = {};
  const busy = (): Error => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

  before(async () => {
    process.env.HOME = tempDir('airlock-dlq-home-');
    root = tempDir('airlock-dlq-panel-');
    const home = join(root, 'home');
    ws = join(root, 'ws');
    mkdirSync(home, { recursive: true });
    mkdirSync(ws, { recursive: true });
    host = new GateHost({ home, workspaceRoots: [ws], log: () => undefined, watchIntervalMs: 100 });
    await host.start();
    store = EffectStore.open(join(home, 'effects.sqlite'));
    // Three calls whose retries ran out, as the ToolRunner files them.
    const file = (key: string, name: string, content: string): number => {
      const args = { path: join(ws, name), content, expectedSha256: null };
      store.begin(key, 'write_file', args);
      return store.deadLetter(key, 'write_file', args, busy(), 4);
    };
    ids.retry = file('k-retry', 'retried.txt', 'written on retry\n');
    ids.discard = file('k-discard', 'discarded.txt', 'never written\n');
    ids.paused = file('k-paused', 'paused.txt', 'not while paused\n');
    tools = new EditorTools({ home, workspaceRoots: [ws], gate: () => host.currentGate(), log: () => undefined, openStore: () => store });
    q = LedgerQueries.open(join(home, 'ledger.sqlite'));
    p = await startPanel({
      queries: q,
      deadLetters: { list: () => tools.listDeadLetters(), retry: (id) => tools.retryDeadLetter(id), discard: (id) => tools.discardDeadLetter(id) },
    });
  });
  after(async () => {
    await p?.close();
    q?.close();
    tools?.close();
    await host?.dispose();
  });

  const item = (id: number) => p.page.locator(`li[data-dead-letter="${id}"]`);

  it('lists the open dead letters with their tool, error and arguments', async () => {
    await p.waitFor((m) => m.type === 'listDeadLetters');
    await item(ids.paused!).waitFor();
    assert.equal(await p.page.locator('li[data-dead-letter]').count(), 3);
    const text = (await item(ids.retry!).textContent()) ?? '';
    assert.match(text, /write_file/);
    assert.match(text, /database is locked/);
    assert.match(text, /4 attempts · SQLITE_BUSY/);
    assert.match(text, /retried\.txt/);
    assert.match((await p.page.locator('.dead-letters [role=status]').textContent()) ?? '', /3 open/);
  });

  it('Discard (keyboard: Tab to the button, Enter) posts the action and the host discards it in the effect store', async () => {
    const discard = item(ids.discard!).locator('button[data-action=discard]');
    await item(ids.discard!).locator('button[data-action=retry]').focus();
    await p.page.keyboard.press('Tab');
    assert.equal(await discard.evaluate((el) => el === document.activeElement), true, 'Discard is reachable with Tab');
    await p.page.keyboard.press('Enter');
    const m = await p.waitFor((x) => x.type === 'deadLetterAction' && x.id === ids.discard);
    assert.deepEqual({ ...m, requestId: 'x' }, { type: 'deadLetterAction', requestId: 'x', id: ids.discard, action: 'discard' });
    await item(ids.discard!).waitFor({ state: 'detached' });
    const letter = store.getDeadLetter(ids.discard!);
    assert.equal(letter?.status, 'discarded');
    assert.match(letter?.resolution ?? '', /run log panel/);
    assert.equal(store.begin('k-discard', 'write_file', { path: join(ws, 'discarded.txt'), content: 'never written\n', expectedSha256: null }).kind, 'dead', 'a discarded call stays dead');
    assert.equal(existsSync(join(ws, 'discarded.txt')), false);
    assert.match((await p.page.locator('.dead-letters [role=status]').textContent()) ?? '', /discarded/);
  });

  it('Retry goes through the gate again: while paused it is denied and the letter stays open', async () => {
    host.pause('test pause');
    await item(ids.paused!).locator('button[data-action=retry]').click();
    await p.waitFor((x) => x.type === 'deadLetterAction' && x.id === ids.paused && x.action === 'retry');
    await p.page.locator('.dead-letters [role=status]', { hasText: 'not done' }).waitFor();
    assert.match((await p.page.locator('.dead-letters [role=status]').textContent()) ?? '', /did not complete on retry: .*paused/i);
    assert.equal(store.getDeadLetter(ids.paused!)?.status, 'dead');
    assert.equal(existsSync(join(ws, 'paused.txt')), false);
    await item(ids.paused!).waitFor();
    host.resume();
  });

  it('Retry with the gate armed carries out the call once and resolves the letter', async () => {
    await item(ids.retry!).locator('button[data-action=retry]').click();
    await item(ids.retry!).waitFor({ state: 'detached' });
    assert.equal(readFileSync(join(ws, 'retried.txt'), 'utf8'), 'written on retry\n');
    assert.equal(store.getDeadLetter(ids.retry!)?.status, 'retried');
    assert.equal(store.stateOf('k-retry')?.state, 'done');
    assert.match((await p.page.locator('.dead-letters [role=status]').textContent()) ?? '', /completed on retry/);
    mkdirSync(artifacts, { recursive: true });
    await p.page.screenshot({ path: join(artifacts, 'panel-dead-letters.png'), fullPage: true });
  });

  it('a broken ledger is a red banner above everything, and goes away when the state is clean', async () => {
    p.setState({ gate: 'armed', pending: 0, alerts: ['LEDGER INTEGRITY BROKEN: 1 problem(s) now, 0 earlier incident(s)', 'chain.content: step s2 (run r, seq 2, position 2): content does not match its hash'] });
    const banner = p.page.locator('.alert-banner[role=alert]');
    await banner.waitFor({ state: 'visible' });
    assert.match((await banner.textContent()) ?? '', /LEDGER INTEGRITY BROKEN.*chain\.content: step s2.*airlock verify/s);
    const box = await banner.boundingBox();
    const mainBox = await p.page.locator('main').boundingBox();
    assert.ok(box && mainBox && box.y < mainBox.y, 'the banner is above the run list');
    await p.page.screenshot({ path: join(artifacts, 'panel-ledger-alert.png') });
    p.setState({ gate: 'armed', pending: 0 });
    await banner.waitFor({ state: 'hidden' });
  });

  it('an invalid state (an alert that is not a string) is dropped by the host, never rendered', async () => {
    p.setState({ gate: 'armed', pending: 0, alerts: [42 as unknown as string] });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await p.page.locator('.alert-banner').isHidden(), true);
    assert.ok(p.consoleLines.some((l) => /not sending an invalid state message/.test(l)), p.consoleLines.join('\n'));
  });
});
