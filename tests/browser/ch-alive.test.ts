/**
 * Chapter 7 in Chromium: the widget starts with the build's answer (a NAT forgets the silent
 * WebSocket at 120.2 s; the server's TCP gives up at 1,293.6 s; the MQTT keepalive keeps its
 * connection alive), the prediction names the slip behind a wrong choice, moving the heartbeat
 * slider with the keyboard changes who notices and when, the exports download, and a permalink
 * opens the dark-network state. Screenshots at 1280 and 390 px, light and dark, land in the temp
 * folder as `wirelab-ch-alive-*.png`. The figures are derived in tests/widgets/course/alive.test.ts.
 */
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { ALIVE_DEFAULTS } from '../../src/worker/course/alive-scenario.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openChapter, predictChoice, revealIfVeiled } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/staying-alive/';
const shot = (name: string) => shotPath(`wirelab-ch-alive-${name}.png`);
const noticed = (side: string) => `#alive tr[data-side="${side}"] [data-testid=noticed]`;

describe.skipIf(!CHROMIUM)('chapter 7: staying alive, and closing', () => {
  const session = chapterSession(600_000);

  it('asks for a prediction first, then names the slip behind a wrong choice', async () => {
    const { page, errors } = await openChapter(session, PATH);
    const text = await predictChoice(page, '#alive', /At once, when it writes the first alert/);
    expect(text).toContain('Nothing comes back to say so');
    // 1,293.6 s = 21.6 minutes: TCP's give-up on the first alert.
    expect(text).toContain('The server learned it 21.6 minutes into the run');
    expect(errors).toEqual([]);
  }, 120_000);

  it("starts with the build's answer; the heartbeat slider, moved by keyboard, changes who notices and when", async () => {
    const { page, errors } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#alive');
    const widget = page.locator('#alive');
    expect(await page.textContent(noticed('ws-server'))).toBe('at 1,293.6 s');
    expect(await page.textContent(noticed('ws-browser'))).toBe('never');
    expect(await page.textContent(noticed('mqtt-broker'))).toBe('stayed alive');
    expect(await widget.locator('rect[data-side="ws-server"]').count()).toBe(1);
    // One step right from "off": a ping every 5 s keeps the NAT's entry fresh, so nothing dies.
    await widget.getByRole('slider', { name: /WebSocket heartbeat/ }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.textContent(noticed('ws-server')), { timeout: 60_000 }).toBe('stayed alive');
    expect(await page.textContent(noticed('ws-browser'))).toBe('stayed alive');
    expect(await widget.locator('rect[data-side="ws-server"]').count()).toBe(0);
    expect(await page.textContent('#alive [data-testid=a-outcome]')).toContain('Alerts lost: WebSocket 0 of 5, MQTT 0 of 5.');
    expect(errors).toEqual([]);
  }, 120_000);

  it('downloads the ends, the alerts and the run', async () => {
    const { page } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#alive');
    const ends = await download(page, 'Ends CSV', '#alive');
    expect(ends.filename).toBe('staying-alive-ends.csv');
    const rows = csvParse(ends.text);
    expect(rows.columns).toEqual(['end', 'protocol', 'connection_died_ms', 'noticed_at_ms', 'noticed_after_ms', 'how', 'reported', 'close_code', 'connections']);
    expect(rows[0]).toMatchObject({ end: 'WebSocket server (ws)', connection_died_ms: '120200', noticed_at_ms: '1293600', noticed_after_ms: '1173400', close_code: '1006' });
    const alerts = csvParse((await download(page, 'Alerts CSV', '#alive')).text);
    expect(alerts.map((a) => `${a.protocol} ${a.lost_reason || a.delivered_ms}`)).toEqual([
      'websocket connection-died', 'websocket connection-died', 'websocket connection-died', 'websocket connection-died', 'websocket client-offline',
      'mqtt 300100', 'mqtt 600100', 'mqtt 900100', 'mqtt 1200100', 'mqtt 1500100',
    ]);
    const run = JSON.parse((await download(page, 'Download run as JSON', '#alive')).text) as { scenario: { nodes: { id: string }[] } };
    expect(run.scenario.nodes.map((n) => n.id)).toEqual(['server', 'browser']);
  }, 120_000);

  it('opens at the state a permalink carries: the dark network, the browser checking too', async () => {
    const defaults = Object.fromEntries(Object.entries(ALIVE_DEFAULTS).filter(([key]) => key !== 'seed'));
    const link = await encodePermalink({ seed: 1, t: 0, params: { ...defaults, failure: 'dark', heartbeatS: 30, browserHeartbeat: true } });
    const { page, errors } = await session.open(`${PATH}?alive=${link}#alive`);
    await revealIfVeiled(page, '#alive');
    const widget = page.locator('#alive');
    await expect.poll(() => widget.getByRole('radio', { name: /network goes dark/ }).isChecked(), { timeout: 30_000 }).toBe(true);
    // The browser's own pings at 0.2 + 30 k s; the one at 120.2 s is lost; no pong by 150.2 s.
    await expect.poll(() => page.textContent(noticed('ws-browser')), { timeout: 60_000 }).toBe('at 150.2 s');
    // The broker last heard at 60.35 s (second 60): due in second 150, closed when it is over (mosquitto's whole seconds).
    expect(await page.textContent(noticed('mqtt-broker'))).toBe('at 151 s');
    expect(errors).toEqual([]);
  }, 120_000);

  it('looks right at 1280 and 390 px, light and dark, with nothing wider than the phone', async () => {
    await inEveryView(session, PATH, async (page, view) => {
      await revealIfVeiled(page, '#alive');
      const widget = page.locator('#alive');
      await widget.scrollIntoViewIfNeeded();
      await widget.screenshot({ path: shot(view) });
      await page.screenshot({ path: shot(`page-${view}`), fullPage: false });
      // The two charts and the table one by one (the widget's own screenshot is tall).
      const charts = widget.locator('svg[role=img]');
      await charts.nth(0).screenshot({ path: shot(`${view}-detect`) });
      await charts.nth(1).screenshot({ path: shot(`${view}-timeline`) });
      await widget.locator('table.wl-sides').screenshot({ path: shot(`${view}-table`) });
    });
  }, 240_000);
});
