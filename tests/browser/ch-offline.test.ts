/**
 * Chapter 6 in Chromium: the widget starts with the build's answer; an outage drawn and changed
 * with the keyboard changes what the subscribers got; the prediction names its slip; the exports
 * download; a permalink opens at its schedule. Screenshots at 1280 and 390 px, light and dark,
 * land in the temp folder as `wirelab-ch-offline-*.png`.
 */
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { courseOffline } from '../../src/worker/course/offline-run.ts';
import { OFFLINE_DEFAULTS } from '../../src/worker/course/offline-types.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openChapter, predictNumber, revealIfVeiled } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/offline-clients/';
const SUMMARY = '#offline [data-testid=o-summary]';
const shot = (name: string) => shotPath(`wirelab-ch-offline-${name}.png`);

const summaryText = async (page: Page) => ((await page.locator(SUMMARY).innerText()) ?? '').replace(/\s*\n+\s*/g, '\n').trim();

async function summaryAfter(page: Page, before: string): Promise<string> {
  await expect.poll(() => summaryText(page), { timeout: 60_000 }).not.toBe(before);
  return summaryText(page);
}

describe.skipIf(!CHROMIUM)('chapter 6: offline clients', () => {
  const session = chapterSession(600_000);

  it('asks for a prediction first, then names the slip behind a wrong one', async () => {
    const { page, errors } = await openChapter(session, PATH);
    // 10 = every thermostat reading of the phone's absence: the slip "a kept session keeps everything".
    const text = await predictNumber(page, '#offline', 10);
    expect(text).toContain('a kept session keeps every QoS 1 message');
    expect(text).toContain('5 of 10: the first 5 waited');
    expect(errors).toEqual([]);
  }, 120_000);

  it("starts with the build's answer; an outage drawn and changed with the keyboard changes the outcome", async () => {
    const { page, errors } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#offline');
    const widget = page.locator('#offline');
    const first = await summaryText(page);
    expect(first).toBe(courseOffline(OFFLINE_DEFAULTS).summary.join('\n'));

    // Remove the phone's outage with the keyboard: the phone then got everything live.
    const phoneOutage = widget.getByRole('button', { name: /^Phone: switched off \(DISCONNECT\) from 10 s to 30 s/ });
    await phoneOutage.focus();
    await page.keyboard.press('Delete');
    const without = { ...OFFLINE_DEFAULTS, outages: OFFLINE_DEFAULTS.outages.filter((o) => o.device !== 'phone') };
    const noPhone = await summaryAfter(page, first);
    expect(noPhone).toBe(courseOffline(without).summary.join('\n'));

    // Draw one again from the phone's row (Enter: network lost, 10-20 s), stretch it to 30 s and make it a clean switch-off.
    await widget.getByRole('group', { name: /^Phone \(/ }).focus();
    await page.keyboard.press('Enter');
    const drawn = widget.getByRole('button', { name: /^Phone: network lost from 10 s to 20 s/ });
    await expect.poll(() => drawn.count()).toBe(1);
    for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('k');
    await expect.poll(() => widget.getByRole('button', { name: /^Phone: switched off \(DISCONNECT\) from 10 s to 30 s/ }).count()).toBe(1);
    // The same schedule as the start, so the same outcome as the start.
    await expect.poll(() => summaryText(page), { timeout: 60_000 }).toBe(first);
    // The table twin edits the same schedule.
    await widget.getByText('The schedule as a table').click();
    await expect.poll(() => widget.getByRole('spinbutton', { name: 'Start of outage 3, seconds' }).inputValue()).toBe('10');
    expect(errors).toEqual([]);
  }, 180_000);

  it('downloads the messages of both sides, the presence table and the run', async () => {
    const { page } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#offline');
    const mqtt = await download(page, 'MQTT messages CSV');
    expect(mqtt.filename).toBe('offline-mqtt-messages.csv');
    const rows = csvParse(mqtt.text);
    expect(rows.columns).toEqual(['side', 'message', 'publisher', 'subscriber', 'topic', 'qos', 'sent_ms', 'outcome', 'delivered_ms', 'reason', 'why']);
    expect(rows.filter((r) => r.subscriber === 'phone' && r.outcome === 'queue-full').map((r) => r.message)).toEqual(['thermo #11', 'thermo #12', 'thermo #13', 'thermo #14', 'thermo #15']);
    expect(rows.find((r) => r.message === 'will of thermo' && r.subscriber === 'tablet')).toMatchObject({ outcome: 'will', sent_ms: '49000' });
    const ws = csvParse((await download(page, 'WebSocket messages CSV')).text);
    expect(ws.filter((r) => r.subscriber === 'phone' && r.outcome === 'queued')).toHaveLength(5);
    const presence = csvParse((await download(page, 'Presence CSV')).text);
    expect(presence.map((r) => `${r.device} ${r.mqtt_will_ms} ${r.ws_server_noticed_ms}`)).toEqual(['phone  15150', 'thermo 49000 45150']);
    const run = JSON.parse((await download(page, 'Download run as JSON')).text) as { scenario: { nodes: { id: string }[] } };
    expect(run.scenario.nodes.map((n) => n.id)).toEqual(['hub', 'thermo', 'door', 'phone', 'tablet']);
  }, 120_000);

  it('opens at the schedule a permalink carries: the thermostat switched off cleanly, no will', async () => {
    const { seed, ...defaults } = OFFLINE_DEFAULTS;
    const outages = defaults.outages.map((o) => (o.device === 'thermo' ? { ...o, kind: 'off' as const } : o));
    const link = await encodePermalink({ seed, t: 0, params: { ...defaults, outages, side: 'mqtt' } });
    const { page, errors } = await session.open(`${PATH}?offline=${link}#offline`);
    await revealIfVeiled(page, '#offline');
    await expect.poll(() => page.locator('#offline').getByRole('button', { name: /^Thermostat: switched off \(DISCONNECT\) from 34 s/ }).count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => summaryText(page), { timeout: 60_000 }).toContain('No will was published.');
    expect(errors).toEqual([]);
  }, 120_000);

  it('looks right at 1280 and 390 px, light and dark, with nothing wider than the phone', async () => {
    await inEveryView(session, PATH, async (page, view) => {
      await revealIfVeiled(page, '#offline');
      const widget = page.locator('#offline');
      await widget.scrollIntoViewIfNeeded();
      await widget.screenshot({ path: shot(view) });
      await page.locator('#offline .wl-timeline').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`page-${view}`), fullPage: false });
    });
  }, 240_000);
});
