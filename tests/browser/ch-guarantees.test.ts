/**
 * Chapter 5 in Chromium: the widget starts with the build's answer (QoS 1, kept sessions: nothing
 * lost), choosing another strategy changes the outcomes (QoS 0: 26 lost on the sensor's hop; raw
 * WebSocket: 80), the diagram shows the reconnect with its resend and is driven by the keyboard,
 * and the exports download. Screenshots at 1280 and 390 px, light and dark, land in the temp folder
 * as `wirelab-ch-guarantees-*.png`.
 */
import { csvParse } from 'd3-dsv';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { GUARANTEES_DEFAULTS } from '../../src/worker/course/guarantees-types.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openChapter, predictNumber, revealIfVeiled } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/delivery-guarantees/';
const SUMMARY = '#guarantees [data-testid=g-summary]';
const shot = (name: string) => shotPath(`wirelab-ch-guarantees-${name}.png`);

/** Waits until the summary line says something other than `before`, and returns it. */
async function summaryAfter(page: Page, before: string): Promise<string> {
  await page.waitForFunction(([sel, old]) => (document.querySelector(sel!)?.textContent ?? '') !== old, [SUMMARY, before] as const, { timeout: 60_000 });
  return (await page.textContent(SUMMARY)) ?? '';
}

describe.skipIf(!CHROMIUM)('chapter 5: delivery guarantees', () => {
  const session = chapterSession(600_000);

  it('asks for a prediction first, then names the slip behind a wrong one', async () => {
    const { page, errors } = await openChapter(session, PATH);
    // The result is veiled (inert) until the reader commits (predictNumber checks).
    // 50 = the readings sent during the 10 s outage (one every 200 ms): the slip of "what was sent in the dark is gone".
    const text = await predictNumber(page, '#guarantees', 50);
    expect(text).toContain('Only the 50 readings sent while the link was dark are lost');
    expect(text).toContain('0 of 125 readings never arrived');
    const widget = page.locator('#guarantees');
    expect(await widget.locator('.wl-predict-result[inert]').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it("starts with the build's answer, and a strategy changes the outcomes", async () => {
    const { page, errors } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#guarantees');
    const first = (await page.textContent(SUMMARY)) ?? '';
    // The build's run: QoS 1 with kept sessions through the 10 s outage of the broker's link.
    expect(first).toBe("Of 125 readings, 125 reached the dashboard's application, none was lost. The longest wait: 16 s.");

    await page.locator('#guarantees').getByRole('radio', { name: 'MQTT QoS 0' }).check();
    const qos0 = await summaryAfter(page, first);
    // What the sensor wrote into its connection between 10.0 and 15.0 s (tests/widgets/course/guarantees.test.ts).
    expect(qos0).toContain('26 were lost (26 on the sensor\'s hop, 0 on the dashboard\'s)');
    await expect.poll(() => page.locator('#guarantees table').filter({ hasText: 'Why readings were lost' }).textContent()).toContain('qos0-connection-died');
    // The comparison marks the chosen row.
    expect(await page.locator('#guarantees [data-testid=g-compare] tr.wl-chosen th').textContent()).toContain('MQTT QoS 0, kept sessions');

    await page.locator('#guarantees').getByRole('radio', { name: 'WebSocket, raw' }).check();
    const raw = await summaryAfter(page, qos0);
    expect(raw).toContain('80 were lost');
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows the reconnect with the resend, and the keyboard moves between packets', async () => {
    const { page, errors } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#guarantees');
    const widget = page.locator('#guarantees');
    await widget.getByRole('radio', { name: 'Reconnecting' }).check();
    // Reading 46 sent again after the reconnect: to the broker, then on to the dashboard.
    const resent = widget.locator('g.msg[aria-label*="PUBLISH QoS 1 id 46,"]');
    await expect.poll(() => resent.count()).toBe(2);
    // The diagram is one tab stop: focus a packet, then the arrow keys move and select.
    const firstPacket = widget.locator('g.msg').first();
    await firstPacket.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => widget.locator('g.msg[aria-pressed="true"]').count()).toBe(1);
    expect(await widget.locator('g.msg[aria-pressed="true"]').getAttribute('data-id')).toBe('reconnect-1');
    expect(errors).toEqual([]);
  }, 120_000);

  it('downloads the readings, the comparison and the run', async () => {
    const { page } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#guarantees');
    const readings = await download(page, 'Readings CSV');
    expect(readings.filename).toBe('guarantees-readings.csv');
    const rows = csvParse(readings.text);
    expect(rows.columns).toEqual(['reading', 'sent_ms', 'outcome', 'delivered_ms', 'wait_ms', 'extra_copies', 'hop', 'reason']);
    expect(rows).toHaveLength(125);
    expect(rows[45]).toMatchObject({ reading: '46', sent_ms: '10000', outcome: 'delivered', wait_ms: '16000' });
    const comparison = csvParse((await download(page, 'Comparison CSV')).text);
    expect(comparison.map((r) => `${r.strategy} ${r.session} ${r.lost}`)).toContain('qos1 clean 75');
    const run = JSON.parse((await download(page, 'Download run as JSON')).text) as { scenario: { nodes: { id: string }[] } };
    expect(run.scenario.nodes.map((n) => n.id)).toEqual(['hub', 'sensor', 'dashboard']);
  }, 120_000);

  it("opens at the state a permalink carries: the dashboard's link, WebSocket with acks, the reconnect", async () => {
    // The permalink carries the seed beside the params, not in them.
    const defaults = Object.fromEntries(Object.entries(GUARANTEES_DEFAULTS).filter(([key]) => key !== 'seed'));
    const link = await encodePermalink({ seed: 1, t: 0, params: { ...defaults, strategy: 'ws-acks', impaired: 'dashboard', window: 'reconnect' } });
    const { page, errors } = await session.open(`${PATH}?guarantees=${link}#guarantees`);
    await revealIfVeiled(page, '#guarantees');
    const widget = page.locator('#guarantees');
    await expect.poll(() => widget.getByRole('radio', { name: 'WebSocket + acks', exact: true }).isChecked(), { timeout: 30_000 }).toBe(true);
    expect(await widget.getByRole('radio', { name: "The dashboard's" }).isChecked()).toBe(true);
    // The acks protect the sensor's hop only: the dashboard's readings are lost on hop 2.
    await expect.poll(() => page.textContent(SUMMARY), { timeout: 60_000 }).toMatch(/were lost \(0 on the sensor's hop, \d+ on the dashboard's\)/);
    expect(await widget.getByRole('radio', { name: 'Reconnecting' }).isChecked()).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);

  it('looks right at 1280 and 390 px, light and dark, with nothing wider than the phone', async () => {
    await inEveryView(session, PATH, async (page, view) => {
      await revealIfVeiled(page, '#guarantees');
      const widget = page.locator('#guarantees');
      await widget.scrollIntoViewIfNeeded();
      await widget.screenshot({ path: shot(view) });
      await page.screenshot({ path: shot(`page-${view}`), fullPage: false });
    });
  }, 240_000);
});
