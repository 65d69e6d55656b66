/**
 * Chapter 9, "Bandwidth and battery on constrained links", in Chromium: the reader predicts before
 * the result is shown, chooses a link preset with the keyboard and sees the bytes and radio time
 * change (computed by the worker), the exports carry the run, a permalink brings the same state
 * back, and the page reads at 1280 and 390 px, light and dark. Screenshots land in the temp folder
 * as `wirelab-ch-constrained-*.png`.
 */
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openSettled, predictChoice, resultsRow, screenshotParts } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/constrained-links/';
const WIDGET = '#constrained-links';
const shot = (name: string) => shotPath(`wirelab-ch-constrained-${name}.png`);

describe.skipIf(!CHROMIUM)('chapter 9: bandwidth and battery on constrained links', () => {
  const session = chapterSession();

  it('veils the result until the reader predicts; a wrong guess is told its slip', async () => {
    const { page, errors } = await openSettled(session, PATH);
    // A wrong guess, by keyboard: QoS 2's four packets.
    const text = await predictChoice(page, WIDGET, /MQTT QoS 2: four packets/, 'keyboard');
    expect(text).toContain('The slip behind this guess: Packets inside one wake-up cost little');
    // The defaults (tests/widgets/course/constrained.test.ts): QoS 0's keepalive pings win. (5.23
    // hours before the broker kept Linux's interactive mode after a long silence: it now delays its
    // ACK of each reading 40 ms, since its last PINGRESP made it interactive.)
    expect(text).toContain('Most radio time a day: MQTT QoS 0, 5.24 hours (5.4 wake-ups per reading); WebSocket: 0.93 hours.');
    expect(await resultsRow(page, WIDGET, 'Arrived')).toEqual(['10 of 10', '10 of 10', '10 of 10', '10 of 10']);
    // Down: the broker's ACKs ride on its PINGRESPs, PUBACKs, PUBRECs and PUBCOMPs (the unit test derives each).
    expect(await resultsRow(page, WIDGET, 'Bytes up / down')).toEqual(['78 / 52', '597 / 363', '566 / 272', '674 / 328']);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('chooses a link preset with the keyboard, and the bytes and radio time change', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(WIDGET);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    const chart = widget.locator('section[aria-label="Radio on per reading, by part"] .wl-chart-summary');
    const before = await chart.textContent();
    // Waiting: the round trip, 1.602 s, and 40 ms more for the first of the ten readings (the server
    // delays that ACK, interactive since it answered the upgrade request): 1.606 s.
    expect(before).toContain('WebSocket 11.66 s (0.052 s airtime, 1.61 s waiting, 10 s of tail over 1 wake-ups)');
    // NB-IoT is checked; the arrow key moves to the next preset, LTE-M, as native radios do.
    await widget.getByRole('radio', { name: /NB-IoT/ }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await widget.getByRole('radio', { name: /LTE-M/ }).isChecked()).toBe(true);
    await expect.poll(() => chart.textContent(), { timeout: 60_000 }).not.toBe(before);
    // LTE-M: 75 ms each way; the WebSocket reading's round trip falls from 1.6 s to 0.152 s (+ 40 ms / 10).
    expect(await chart.textContent()).toContain('WebSocket 10.16 s (0.003 s airtime, 0.156 s waiting, 10 s of tail over 1 wake-ups)');
    expect(await widget.locator('.wl-source').textContent()).toContain('LTE-M (Cat-M1, 3GPP Release 13)');
    expect((await resultsRow(page, WIDGET, 'Median latency to the application'))[0]).toBe('77.7 ms');
    // The keepalive off: MQTT's bytes fall to a packet or two more than WebSocket's.
    await widget.locator('summary', { hasText: 'More settings' }).click();
    await widget.getByRole('slider', { name: /MQTT keepalive/ }).focus();
    await page.keyboard.press('Home');
    // QoS 1's PUBACK and QoS 2's PUBREC and PUBCOMP carry the broker's ACKs: 56 and 2 x 56 down.
    await expect.poll(() => resultsRow(page, WIDGET, 'Bytes up / down'), { timeout: 60_000 }).toEqual(['78 / 52', '88 / 52', '142 / 56', '250 / 112']);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('exports the run (messages CSV, JSON) and the costs as CSV', async () => {
    const { page } = await openSettled(session, PATH);
    const widget = page.locator(WIDGET);
    await widget.scrollIntoViewIfNeeded();
    const json = JSON.parse((await download(page, 'Download run as JSON')).text);
    expect(json.format).toBe('wirelab/export@1');
    expect(json.scenario.nodes.map((n: { id: string }) => n.id)).toEqual(['broker', 'server', 'backend', 'dev-ws', 'dev-qos0', 'dev-qos1', 'dev-qos2']);
    const messages = csvParse((await download(page, 'Download messages CSV')).text);
    // Ten readings from each of the four devices, all delivered.
    expect(messages.length).toBe(40);
    expect(messages.filter((r) => r.status === 'delivered').length).toBe(40);
    const costs = csvParse((await download(page, 'Costs per reading CSV')).text);
    expect(costs.map((r) => r.protocol)).toEqual(['WebSocket', 'MQTT QoS 0', 'MQTT QoS 1', 'MQTT QoS 2']);
    expect(costs[0]!['bytes per reading']).toBe('130');
    const connect = csvParse((await download(page, 'Connect costs CSV')).text);
    expect(connect.length).toBe(4);
    await page.close();
  }, 120_000);

  it('a permalink brings the preset and settings back', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(WIDGET);
    await widget.getByRole('radio', { name: /GEO satellite/ }).check();
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    await expect.poll(() => widget.locator('.wl-source').textContent()).toContain('geostationary');
    await expect.poll(() => widget.locator('.wl-constrained-summary').textContent(), { timeout: 60_000 }).toContain('On GEO satellite');
    await widget.getByRole('button', { name: 'Copy link' }).click();
    // The link is in the address bar (and the box beside the button) whether or not the clipboard is allowed.
    await expect.poll(() => widget.getByLabel('Link to this state').inputValue()).toContain('constrained-links=');
    const url = await widget.getByLabel('Link to this state').inputValue();
    expect(page.url()).toBe(url);
    const again = await openSettled(session, url.replace(/^https?:\/\/[^/]+/, ''));
    const w2 = again.page.locator(WIDGET);
    await expect.poll(() => w2.getByRole('radio', { name: /GEO satellite/ }).isChecked(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => w2.locator('.wl-constrained-summary').textContent(), { timeout: 60_000 }).toContain('On GEO satellite');
    expect(errors).toEqual([]);
    expect(again.errors).toEqual([]);
    await page.close();
    await again.page.close();
  }, 120_000);

  it('is drawn legibly at 1280 and 390 px, light and dark, without sideways scrolling', async () => {
    await inEveryView(session, PATH, async (page, view) => {
      await page.locator(WIDGET).getByRole('button', { name: 'Show without guessing' }).click();
      const parts = [
        ['presets', `${WIDGET} .wl-presets`],
        ['table', `${WIDGET} table.wl-results`],
        ['chart', 'section[aria-label="Radio on per reading, by part"]'],
        ['connect', `${WIDGET} .wl-subhead`],
        ['claims', '.wl-claim'],
      ] as const;
      await screenshotParts(page, parts, (name) => shot(`${view}-${name}`));
    });
  }, 240_000);
});

describe.skipIf(!CHROMIUM)('the scenario library page', () => {
  const session = chapterSession();

  it('lists the six scenarios with their questions, and opens one in the Lab', async () => {
    const { page, errors } = await session.open('/scenarios/');
    const names = await page.$$eval('.wl-library-entry h2', (hs) => hs.map((h) => h.textContent?.trim()));
    expect(names).toEqual(['Chat room', 'Live dashboard', 'Multiplayer game tick', 'Sensor fleet', 'Smart home', 'Vehicle tracking']);
    expect(await page.locator('.wl-library-question').count()).toBe(6);
    // The sidebar links here, beside How we know.
    expect(await page.locator('nav a[href="/scenarios/"]').count()).toBeGreaterThan(0);
    for (const [width, scheme] of [[1280, 'light'], [1280, 'dark'], [390, 'light'], [390, 'dark']] as const) {
      const shown = await session.open('/scenarios/', { width, colorScheme: scheme });
      await shown.page.screenshot({ path: shotPath(`wirelab-scenarios-${width}-${scheme}.png`), fullPage: true });
      const scroll = await shown.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(scroll, `${width}-${scheme}`).toBeLessThanOrEqual(1);
      expect(shown.errors).toEqual([]);
      await shown.page.close();
    }

    // The sensor fleet's link: the Lab checks the scenario in its worker and runs it.
    await page.locator('a[data-library-link="sensor-fleet"]').click();
    await page.waitForURL(/\/lab\/\?lab=/);
    await page.waitForSelector('astro-island:not([ssr]) [data-testid=lab-summary]', { timeout: 30_000 });
    // 40 sensors x 5 readings in 300 s (seed 1), every one delivered (tests/scenarios/library.test.ts).
    await expect.poll(() => page.textContent('[data-testid=lab-summary]'), { timeout: 60_000 }).toMatch(/^Seed 1, 300 s simulated/);
    expect(await page.textContent('[data-testid=lab-summary]')).toContain('40 flows, 200 of 200 messages delivered, 0 lost');
    expect(await page.locator('#lab-preset').inputValue()).toBe('');
    await page.screenshot({ path: shotPath('wirelab-scenarios-lab-sensor-fleet.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
