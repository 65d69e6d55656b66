/**
 * Chapter 4, "What loss really does", in Chromium: the reader predicts before the result is
 * shown (the result is veiled until then, a wrong guess is told its slip), changing the loss
 * reruns the four streams in the worker and the distribution changes, the exports carry the run,
 * and the page reads on a phone, in the dark theme and on paper. Screenshots land in the temp
 * folder as `wirelab-ch-loss-*.png`.
 */
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openSettled, predictChoice, resultsRow, screenshotParts, settleWidgets } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/what-loss-does/';
const WIDGET = '#what-loss-does';
const shot = (name: string) => shotPath(`wirelab-ch-loss-${name}.png`);

describe.skipIf(!CHROMIUM)('chapter 4: what loss really does', () => {
  const session = chapterSession();

  it('veils the result until the reader predicts, then shows the guess, the result and the slip', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(WIDGET);
    // Before a guess the button is disabled; predictChoice checks that the veil lies over the
    // result, which is out of the tab order.
    expect(await widget.getByRole('button', { name: 'Lock in my guess' }).isDisabled()).toBe(true);
    // A wrong guess, by keyboard: focus the first choice, select it with Space, submit with Enter.
    const text = await predictChoice(page, WIDGET, /Some never arrive/, 'keyboard');
    // Focus moved to the comparison, which names the misconception.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('wl-predict-outcome'))).toBe(true);
    expect(text).toContain('Your guess');
    expect(text).toContain('Some never arrive');
    expect(text).toContain('The slip behind this guess: A dropped packet is not a lost message.');
    // The defaults (5 % random loss): every QoS 0 reading arrived (tests/widgets/course/loss.test.ts).
    expect(text).toContain('QoS 0 at 5% loss: 60 of 60 arrived, 0 lost');
    expect(await widget.locator('.wl-predict-veil').count()).toBe(0);
    expect(await widget.locator('.wl-predict-result').getAttribute('inert')).toBeNull();
    expect(await resultsRow(page, WIDGET, 'Arrived')).toEqual(['60 of 60', '60 of 60', '60 of 60', '60 of 60']);
    // The testbed's figures (<Testbed>) end at their last character: a count, which has no unit, is
    // followed at once by the sentence's own punctuation ("the simulator 1." once read "1 .").
    const figures = await page.$$eval('.wl-testbed', (els) => els.map((e) => e.textContent ?? ''));
    expect(figures.length).toBeGreaterThan(0);
    expect(figures.filter((t) => t !== t.trim())).toEqual([]);
    // Both sides with their runs' range, as the report gives them: "dropped 9 (0-13) QoS 2 messages ... the simulator 1 (0-32) over its three runs".
    expect(await page.locator('p', { hasText: 'real mosquitto dropped' }).textContent()).toMatch(
      /dropped [\d,.]+ \([\d,.]+-[\d,.]+\) QoS 2 messages\s+for the quota described above, the simulator [\d,.]+ \([\d,.]+-[\d,.]+\)\s+over its three runs \(seeds 1 to 3\)\./,
    );

    for (const [name, width, scheme] of [['desktop-light', 1280, 'light'], ['desktop-dark', 1280, 'dark']] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await widget.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(name), fullPage: false });
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('reruns the four streams when the loss changes, and the distribution changes with it', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(WIDGET);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    const cdfSummary = widget.locator('section[aria-label="Latency distribution per stream"] .wl-chart-summary');
    const before = await cdfSummary.textContent();
    expect(before).toContain('MQTT QoS 2: 60 of 60 arrived');

    // The loss slider's last step (20 %), by keyboard.
    await widget.getByRole('slider', { name: /Packet loss/ }).focus();
    await page.keyboard.press('End');
    await expect.poll(() => cdfSummary.textContent(), { timeout: 60_000 }).toContain('MQTT QoS 2: 52 of 60 arrived');
    // At 20 % mosquitto's receive quota drops 8 QoS 2 messages; TCP keeps the other streams whole
    // (the exact figures of tests/widgets/course/loss.test.ts, here computed by the worker).
    expect(await resultsRow(page, WIDGET, 'Arrived')).toEqual(['60 of 60', '60 of 60', '52 of 60', '60 of 60']);
    expect((await resultsRow(page, WIDGET, 'Lost'))[2]).toContain('8 broker-receive-quota-exceeded');
    expect(await cdfSummary.textContent()).not.toBe(before);
    // The timeline's table twin lists every drop and retransmission.
    const timeline = widget.locator('section[aria-label="Drops and retransmissions per stream"] .wl-chart-summary');
    expect(await timeline.textContent()).toMatch(/WebSocket: \d+ packets dropped/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('exports the run (messages CSV, JSON) and the distribution as CSV', async () => {
    const { page } = await openSettled(session, PATH);
    const widget = page.locator(WIDGET);
    await widget.scrollIntoViewIfNeeded();
    const messages = await download(page, 'Download messages CSV');
    expect(messages.filename).toBe('what-loss-does-messages.csv');
    // 60 readings in each of the three MQTT flows, and two WebSocket flows (sensor to server,
    // server to dashboard): 5 x 60 rows.
    const rows = csvParse(messages.text);
    expect(rows.length).toBe(300);
    expect(rows.filter((r) => r.status === 'delivered').length).toBe(300);
    const json = JSON.parse((await download(page, 'Download run as JSON')).text);
    expect(json.format).toBe('wirelab/export@1');
    expect(json.scenario.nodes.map((n: { id: string }) => n.id)).toContain('ws-dashboard');
    // The chart lies under the prediction's veil (inert) until the reader guesses or skips.
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    const cdf = await download(page, 'Download the table of Latency distribution per stream as CSV');
    const table = csvParse(cdf.text);
    expect(table.map((r) => r.stream)).toEqual(['MQTT QoS 0', 'MQTT QoS 1', 'MQTT QoS 2', 'WebSocket']);
    expect(table.map((r) => r.arrived)).toEqual(['60', '60', '60', '60']);
    await page.close();
  }, 120_000);

  it('switches the bulk transfer to BBR and redraws the goodput beside the Mathis curve', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const goodput = page.locator('#bulk-goodput');
    // A number prediction first: 9,000 kbit/s is the slip "loss only costs the resent packets".
    await goodput.getByRole('spinbutton', { name: 'Your guess' }).fill('9000');
    await goodput.getByRole('button', { name: 'Lock in my guess' }).click();
    const outcome = goodput.locator('.wl-predict-outcome');
    await expect.poll(() => outcome.isVisible()).toBe(true);
    const said = (await outcome.textContent()) ?? '';
    expect(said).toContain('9,000 kbit/s');
    // The defaults' CUBIC point at 10 % (tests/widgets/course/loss.test.ts): 572 kbit/s.
    expect(said).toContain('CUBIC at 10% loss: 572 kbit/s');
    expect(said).toContain('The slip behind this guess: Takes the cost of loss to be the resent packets only');
    const summary = goodput.locator('.wl-chart-summary');
    expect(await summary.textContent()).toContain('A 2 MB transfer with cubic');
    await goodput.getByRole('radio', { name: /BBR/ }).check();
    await expect.poll(() => summary.textContent(), { timeout: 60_000 }).toContain('A 2 MB transfer with bbr');
    expect(await goodput.locator('[data-series="mathis"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('is drawn legibly at 1280 and 390 px, light and dark (screenshots of each part for review)', async () => {
    await inEveryView(session, PATH, async (page, view) => {
      await page.locator(WIDGET).getByRole('button', { name: 'Show without guessing' }).click();
      const parts = [
        ['table', `${WIDGET} table.wl-results`],
        ['cdf', 'section[aria-label="Latency distribution per stream"]'],
        ['timeline', 'section[aria-label="Drops and retransmissions per stream"]'],
        ['goodput', '#bulk-goodput'],
        ['claims', '.wl-claim'],
      ] as const;
      await screenshotParts(page, parts, (name) => shot(`${view}-${name}`));
      // A wrong answer in the check names its slip.
      const question = page.locator('.wl-question').first();
      await question.getByRole('radio', { name: '3', exact: true }).check();
      await question.getByRole('button', { name: 'Check answer' }).click();
      expect(await question.locator('.wl-slip').textContent()).toContain('Takes 5 % of the readings as lost.');
      await question.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`${view}-check`) });
    });
  }, 240_000);

  it('reads on a phone (no sideways scroll), and on paper shows the result without the prediction form', async () => {
    const { page, errors } = await openSettled(session, PATH, { width: 390 });
    const widget = page.locator(WIDGET);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await widget.locator('.wl-predict').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`phone-${scheme}`) });
    }
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    await widget.locator('section[aria-label="Latency distribution per stream"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('phone-chart') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload({ waitUntil: 'load' });
    await settleWidgets(page);
    await page.emulateMedia({ media: 'print' });
    expect(await widget.locator('.wl-predict-veil').isVisible()).toBe(false);
    expect(await widget.locator('.wl-predict-form').isVisible()).toBe(false);
    expect(await widget.locator('table.wl-results').isVisible()).toBe(true);
    await page.pdf({ path: shotPath('wirelab-ch-loss.pdf') }).catch(() => {});
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
