/**
 * Chapter 8, "Communication models at scale", in Chromium: the reader predicts before the fan-out
 * is shown; changing the subscribers with the keyboard reruns the scenarios in the worker (with
 * progress) and the figures change; a big run waits for Run and can be cancelled; editing the
 * topic tree and the filters changes who receives what, and a bad filter is named; the exports
 * and permalinks carry the state; the page reads at 1280 and 390 px, light and dark. Screenshots
 * land in the temp folder as `wirelab-ch-scale-*.png`.
 */
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openSettled, predictChoice, resultsRow, screenshotParts } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/communication-at-scale/';
const FANOUT = '#fan-out';
const TOPICS = '#topic-filters';
const shot = (name: string) => shotPath(`wirelab-ch-scale-${name}.png`);

/** Who received the message on `topic` (the topic widget's first table). */
async function receivers(page: Page, topic: string): Promise<string> {
  return page.$$eval(`${TOPICS} table.wl-topics-matches tr`, (rows, t) => rows.find((r) => r.getAttribute('data-topic') === t)?.querySelector('td')?.textContent?.trim() ?? '(no row)', topic);
}

describe.skipIf(!CHROMIUM)('chapter 8: communication models at scale', () => {
  const session = chapterSession();

  it('veils the fan-out until the reader predicts, and names the slip of a wrong guess', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const text = await predictChoice(page, FANOUT, /both grow about 100 times/);
    expect(text).toContain('The slip behind this guess: The publisher sends one PUBLISH to the broker');
    // The build's answer (tests/widgets/course/fanout.test.ts): 219 bytes at the publisher at any N;
    // the broker's link 438 bytes at 1 subscriber, 100 x 167 + 52 out and 167 + 100 x 52 in at 100.
    expect(text).toContain("the publisher's link 219 → 219 bytes, the broker's 438 → 22,119");
    expect(await resultsRow(page, FANOUT, 'Broker / server')).toEqual(['101 + 101 packets 16,752 + 5,367 bytes', '101 + 101 packets 15,452 + 5,358 bytes']);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('reruns the fan-out in the worker when the subscribers change by keyboard, with progress, and the figures change', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(FANOUT);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    const slider = widget.getByRole('slider', { name: /Subscribers/ });
    await slider.focus();
    // 100 -> 200 -> 500: the ladder 1, 10, 100 and 500, eight runs per count, through the worker.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await slider.getAttribute('aria-valuetext')).toContain('500');
    await widget.locator('progress.wl-progress').waitFor({ state: 'visible', timeout: 30_000 });
    const summary = widget.locator('.wl-fanout-summary');
    await expect.poll(() => summary.textContent(), { timeout: 120_000 }).toContain('With 500 subscribers');
    // 500 copies of 167 bytes and the publisher's ACK; the server's 500 x 154 + 52.
    expect(await resultsRow(page, FANOUT, 'Broker / server')).toEqual(['501 + 501 packets 83,552 + 26,167 bytes', '501 + 501 packets 77,052 + 26,158 bytes']);
    expect(await resultsRow(page, FANOUT, 'Publisher')).toEqual(['1 + 1 packets 167 + 52 bytes', '1 + 1 packets 158 + 52 bytes']);
    const chartRows = await widget.locator('section[aria-label="Bytes per message against the number of subscribers"] table tbody tr').count();
    expect(chartRows).toBe(4);

    // The last step (9,998) waits for Run; a started run can be cancelled and the figures stay.
    await slider.focus();
    await page.keyboard.press('End');
    const run = widget.getByRole('button', { name: 'Run with 9,998 subscribers' });
    await run.waitFor({ state: 'visible' });
    await run.click();
    await widget.locator('progress.wl-progress').waitFor({ state: 'visible', timeout: 30_000 });
    await widget.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => widget.locator('.wl-run').textContent()).toContain('Cancelled. The figures below are for 500 subscribers.');
    expect(await summary.textContent()).toContain('With 500 subscribers');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  // How long the page's main thread is busy meanwhile is a timing, not a behaviour: it is not asserted
  // here (house rule: no timed tests); the long tasks seen are printed for the record.
  it('runs 2,000 subscribers in the worker with progress, and the broker\'s figures follow the straight line', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(FANOUT);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
    });
    const slider = widget.getByRole('slider', { name: /Subscribers/ });
    await slider.focus();
    // 100 -> 200 -> 500 -> 1,000 -> 2,000: past 1,000 the run waits for the reader.
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await widget.getByRole('button', { name: 'Run with 2,000 subscribers' }).click();
    const progress = widget.locator('progress.wl-progress');
    await progress.waitFor({ state: 'visible', timeout: 30_000 });
    // Progress moves while it runs (sampled until the run ends).
    const seen = new Set<string>();
    // One read per sample: checking visibility and then reading the attribute raced the run's end
    // (the bar went between the two calls and the read waited 30 s for it; CI failed once so).
    for (;;) {
      const value = await widget.evaluate((el) => el.querySelector('progress.wl-progress')?.getAttribute('value') ?? null);
      if (value === null) break;
      seen.add(value);
      await page.waitForTimeout(200);
    }
    expect(seen.size).toBeGreaterThan(2);
    // It ended by finishing, not with an error (a run that reports no progress for too long is stopped).
    expect(await widget.locator('.wl-error').allTextContents()).toEqual([]);
    await expect.poll(() => widget.locator('.wl-fanout-summary').textContent(), { timeout: 300_000 }).toContain('With 2,000 subscribers');
    // 2,000 copies of 167 bytes and the publisher's ACK.
    expect((await resultsRow(page, FANOUT, 'Broker / server'))[0]).toBe('2,001 + 2,001 packets 334,052 + 104,167 bytes');
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.info(`ch-scale: long tasks on the main thread during the 2,000-subscriber runs (ms): ${JSON.stringify(longTasks)}`);
    expect(errors).toEqual([]);
    await page.close();
  }, 400_000);

  it('exports the costs (CSV, JSON) and opens at the state a permalink carries', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(FANOUT);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    const csv = await download(page, 'Costs CSV', FANOUT);
    expect(csv.filename).toBe('fan-out-costs.csv');
    const rows = csvParse(csv.text.split('\n').slice(1).join('\n'));
    // 3 subscriber counts x 2 hubs x 4 places.
    expect(rows.length).toBe(24);
    expect(rows.find((r) => r.subscribers === '100' && r.hub === 'MQTT broker' && r.place === 'broker')).toMatchObject({ 'packets out': '101', 'bytes out': '16752' });
    const json = JSON.parse((await download(page, 'Results JSON', FANOUT)).text);
    expect(json.format).toBe('wirelab/fanout@1');
    expect(json.scenarios.mqtt.nodes.length).toBe(102);

    // A link to QoS 1 with 10 subscribers.
    const link = await encodePermalink({ seed: 1, t: 0, params: { subscribers: 10, qos: 1, payloadBytes: 100, hubMbps: 1000 } });
    const opened = await openSettled(session, `${PATH}?fan-out=${link}#fan-out`);
    const w = opened.page.locator(FANOUT);
    await w.getByRole('button', { name: 'Show without guessing' }).click();
    await expect.poll(() => w.locator('.wl-fanout-summary').textContent(), { timeout: 60_000 }).toContain('With 10 subscribers');
    expect(await w.getByRole('radio', { name: /QoS 1/ }).isChecked()).toBe(true);
    // QoS 1, per message over five: out, 10 copies, the PUBACK to the publisher and an ACK of each
    // subscriber's PUBACK (21); in, the PUBLISH, the publisher's ACK, 10 PUBACKs carrying the
    // subscribers' ACKs and, for the first message only, 10 ACKs of their own (1 + 1 + 10 + 2 = 14).
    expect((await resultsRow(opened.page, FANOUT, 'Broker / server'))[0]).toMatch(/^21 \+ 14 packets /);

    // Copy link writes the widget's state into the address bar.
    await w.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => opened.page.url()).toContain('fan-out=');
    expect(errors).toEqual([]);
    expect(opened.errors).toEqual([]);
    await page.close();
    await opened.page.close();
  }, 180_000);

  it('tries filters against the topic tree live: $SYS, share groups, and a refused filter named', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(TOPICS);
    await widget.scrollIntoViewIfNeeded();
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    // The starting tree (tests/widgets/course/topics.test.ts): "#" misses $SYS, "$SYS/#" gets it.
    expect(await receivers(page, '$SYS/monitor/Clients')).toBe('#6 $SYS/#');
    expect(await receivers(page, 'sensors/kitchen/temp')).toBe('#5 #, #7 $share/dash/sensors/+/temp');
    expect(await receivers(page, 'sensors/garden/temp')).toBe('#5 #, #8 $share/dash/sensors/+/temp');

    // Add two filters by typing at the end of the list.
    const filters = widget.getByRole('textbox', { name: /Subscribers: one filter per line/ });
    await filters.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n$SYS/monitor/+\na/#/b');
    await expect.poll(() => receivers(page, '$SYS/monitor/Clients'), { timeout: 30_000 }).toBe('#6 $SYS/#, #9 $SYS/monitor/+');
    expect(await widget.locator('.wl-topics-refused').textContent()).toContain('Subscriber #10: topic filter "a/#/b": # must be the whole last level [MQTT-4.7.1-2]');

    // A new topic in the tree, and the tree published twice: the share group takes turns.
    const topics = widget.getByRole('textbox', { name: /Topic tree/ });
    await topics.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nsport/golf');
    await expect.poll(() => receivers(page, 'sport/golf'), { timeout: 30_000 }).toBe('#3 sport/+, #4 +/+, #5 #');
    await widget.getByRole('slider', { name: /Times the tree is published/ }).focus();
    await page.keyboard.press('ArrowRight');
    const dash = widget.locator('table.wl-topics-subscribers tr[data-filter="$share/dash/sensors/+/temp"] td.num');
    await expect.poll(() => dash.allTextContents(), { timeout: 30_000 }).toEqual(['2', '2']);

    const csv = await download(page, 'Matches CSV', TOPICS);
    const matches = csvParse(csv.text);
    expect(matches.filter((m) => m.topic === 'sport/golf').map((m) => m.filter)).toEqual(['sport/+', '+/+', '#', 'sport/+', '+/+', '#']);
    const json = JSON.parse((await download(page, 'JSON', TOPICS)).text);
    expect(json.format).toBe('wirelab/topics@1');
    expect(json.input.rounds).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('opens the topic explorer at a permalink\'s tree', async () => {
    const link = await encodePermalink({ seed: 0, t: 0, params: { topics: 'home/kitchen/temp\nhome/kitchen', filters: 'home/+/temp\nhome/#', version: '3.1.1', rounds: 1 } });
    const { page, errors } = await openSettled(session, `${PATH}?topic-filters=${link}#topic-filters`);
    const widget = page.locator(TOPICS);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    await expect.poll(() => receivers(page, 'home/kitchen'), { timeout: 30_000 }).toBe('#2 home/#');
    expect(await receivers(page, 'home/kitchen/temp')).toBe('#1 home/+/temp, #2 home/#');
    expect(await widget.getByRole('radio', { name: 'MQTT 3.1.1' }).isChecked()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('reads at 1280 and 390 px, light and dark (screenshots of each part), with nothing wider than the phone', async () => {
    // The widgets' own tables fit their boxes too (the chart's seven-column table twin may scroll).
    await inEveryView(session, PATH, async (page, view) => {
      for (const id of [FANOUT, TOPICS]) await page.locator(id).getByRole('button', { name: 'Show without guessing' }).click();
      const parts = [
        ['fanout', FANOUT],
        ['chart', 'section[aria-label="Bytes per message against the number of subscribers"]'],
        ['topics', TOPICS],
        ['claims', '.wl-claim'],
        ['check', '.wl-question'],
      ] as const;
      await screenshotParts(page, parts, (name) => shot(`${view}-${name}`));
    }, { tablesFit: true });
  }, 240_000);
});
