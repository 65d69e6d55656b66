/**
 * Chapter 10, "Scaling out: one server, many clients", in Chromium: the reader predicts before the
 * hub's holdings are shown; changing the devices with the keyboard reruns the scenarios in the
 * worker (with progress) and the figures change; the job-stream widget names the slip of a wrong
 * guess and reruns when the drop is turned off; the exports and a permalink carry the state; the
 * page reads at 1280 and 390 px, light and dark. Screenshots land in the temp folder as
 * `wirelab-ch-serverload-*.png`.
 */
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openSettled, predictChoice, predictNumber, resultsRow, screenshotParts } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/one-server-many-clients/';
const LOAD = '#server-load';
const SHARE = '#job-share';
const shot = (name: string) => shotPath(`wirelab-ch-serverload-${name}.png`);

describe.skipIf(!CHROMIUM)('chapter 10: one server, many clients', () => {
  const session = chapterSession();

  it('veils the holdings until the reader predicts, and names the slip of a wrong guess', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const text = await predictChoice(page, LOAD, /About 1,000: one for every connection/);
    expect(text).toContain('The slip behind this guess: Connections do not keep a timer running.');
    // The build's answer: the server writes nothing back, so no retransmit timer; its only timers
    // are ACKs held back a moment, 4 on average for 1,000 readings a second.
    expect(text).toContain('The WebSocket server with 1,000 devices had 0 retransmit and 4 delayed-ACK timers armed on average (peaks 0 and 40), with 1,000 connections open.');
    expect(await resultsRow(page, LOAD, 'TCP connections')).toEqual(['1,001 (peak 1,001)', '1,000 (peak 1,000)']);
    expect(await resultsRow(page, LOAD, 'MQTT messages in flight')).toEqual(['19.9 (peak 20)', '0 (peak 0)']);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('reruns in the worker when the devices change by keyboard, with progress, and the figures change', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(LOAD);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    // QoS 0 and a reading every 10 s first, then 1,000 -> 500 devices: the ladder 10, 100, 500.
    await widget.getByRole('radio', { name: 'QoS 0' }).check();
    await widget.getByRole('radio', { name: 'every 10 s' }).check();
    const slider = widget.getByRole('slider', { name: /Devices/ });
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    expect(await slider.getAttribute('aria-valuetext')).toContain('500');
    await widget.locator('progress.wl-progress').waitFor({ state: 'visible', timeout: 30_000 });
    const summary = widget.locator('.wl-serverload-summary');
    await expect.poll(() => summary.textContent(), { timeout: 180_000 }).toContain('With 500 devices, a reading every 10 s each');
    expect(await resultsRow(page, LOAD, 'TCP connections')).toEqual(['501 (peak 501)', '500 (peak 500)']);
    // QoS 0: nothing queued or in flight at the broker; the server's frame in and ACK out per reading.
    expect(await resultsRow(page, LOAD, 'MQTT messages queued')).toEqual(['0 (peak 0)', '0 (peak 0)']);
    expect((await resultsRow(page, LOAD, 'Packets per reading'))[1]).toBe('1 + 1');
    expect(await widget.locator('section[aria-label="What the hub holds against the number of devices"] table tbody tr').count()).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('the job stream: a wrong guess is named, and turning the drop off splits the jobs evenly', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(SHARE);
    const text = await predictNumber(page, SHARE, 0);
    expect(text).toContain('Expects the broker to give c1\'s jobs to the other members.');
    // tests/widgets/course/share.test.ts: c1's 250 turns between its drop and the cut-off at 20 s.
    expect(text).toContain('250 jobs reached no consumer');
    expect(await resultsRow(page, SHARE, 'c1')).toEqual([expect.stringMatching(/^67 jobs \d+ packets, [\d,]+ bytes in$/), expect.stringMatching(/^199 jobs \d+ packets, [\d,]+ bytes in$/)]);
    await widget.getByRole('checkbox', { name: /c1 loses its network/ }).uncheck();
    const summary = widget.locator('.wl-share-summary').first();
    await expect.poll(() => summary.textContent(), { timeout: 60_000 }).toContain('received c1 417, c2 417, c3 416; 0 reached no consumer');
    expect((await resultsRow(page, SHARE, 'c2'))[1]).toMatch(/^1,250 jobs /);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('exports the holdings and the jobs (CSV, JSON) and opens at the state a permalink carries', async () => {
    const { page, errors } = await openSettled(session, PATH);
    const widget = page.locator(LOAD);
    await widget.getByRole('button', { name: 'Show without guessing' }).click();
    const csv = await download(page, 'Holdings CSV', LOAD);
    expect(csv.filename).toBe('server-load-holdings.csv');
    const rows = csvParse(csv.text.split('\n').slice(1).join('\n'));
    // 3 device counts x 2 hubs.
    expect(rows.length).toBe(6);
    expect(rows.find((r) => r.devices === '1000' && r.hub === 'WebSocket server')).toMatchObject({ 'tcpConnections mean': '1000', 'retransmitTimers peak': '0' });
    const json = JSON.parse((await download(page, 'Results JSON', LOAD)).text);
    expect(json.format).toBe('wirelab/server-load@1');
    expect(json.scenarios.mqtt.nodes.length).toBe(1002);
    await page.locator(SHARE).getByRole('button', { name: 'Show without guessing' }).click();
    const jobs = await download(page, 'Jobs CSV', SHARE);
    expect(jobs.text).toContain('# shared: produced 1250, received by no consumer 250');
    expect(JSON.parse((await download(page, 'Results JSON', SHARE)).text).format).toBe('wirelab/job-share@1');

    // A link to 10 devices at QoS 0, a reading a second.
    const link = await encodePermalink({ seed: 1, t: 0, params: { devices: 10, everyS: 1, qos: 0 } });
    const opened = await openSettled(session, `${PATH}?server-load=${link}#server-load`);
    const w = opened.page.locator(LOAD);
    await w.getByRole('button', { name: 'Show without guessing' }).click();
    await expect.poll(() => w.locator('.wl-serverload-summary').textContent(), { timeout: 60_000 }).toContain('With 10 devices');
    expect(await w.getByRole('radio', { name: 'QoS 0' }).isChecked()).toBe(true);
    // 10 x 10 readings: a PUBLISH in and an ACK out for each, the copy out and the dashboard's ACK in.
    expect(await resultsRow(opened.page, LOAD, 'Readings sent')).toEqual(['100 / 100 / 0', '100 / 100 / 0']);
    await w.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => opened.page.url()).toContain('server-load=');
    expect(errors).toEqual([]);
    expect(opened.errors).toEqual([]);
    await page.close();
    await opened.page.close();
  }, 240_000);

  it('reads at 1280 and 390 px, light and dark (screenshots of each part), with nothing wider than the phone', async () => {
    await inEveryView(session, PATH, async (page, view) => {
      for (const id of [LOAD, SHARE]) await page.locator(id).getByRole('button', { name: 'Show without guessing' }).click();
      const parts = [
        ['load', LOAD],
        ['load-chart', 'section[aria-label="What the hub holds against the number of devices"]'],
        ['share', SHARE],
        ['share-chart', 'section[aria-label="Jobs per consumer"]'],
        ['claims', '.wl-claim'],
        ['check', '.wl-question'],
      ] as const;
      await screenshotParts(page, parts, (name) => shot(`${view}-${name}`));
    }, { tablesFit: true });
  }, 240_000);
});
