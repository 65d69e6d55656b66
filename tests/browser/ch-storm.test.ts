/**
 * Chapter 11 in Chromium: the widget starts with the build's answer (200 clients on 3 servers, s1
 * crashes: its clients all reconnect in the same 100 ms, s1 is marked DOWN 4.016 s after the crash),
 * the prediction names the slip behind a wrong guess, the jitter slider moved by keyboard lowers the
 * peak, the exports download, and a permalink opens a power failure. Screenshots at 1280 and 390 px,
 * light and dark, land in the temp folder as `wirelab-ch-storm-*.png`. The figures are derived in
 * tests/widgets/course/storm.test.ts.
 */
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { fnv1a } from '../../simulator/runtime/roles/balancer.ts';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { clientIds, STORM_DEFAULTS } from '../../src/worker/course/storm-scenario.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath } from './harness.ts';
import { chapterSession, download, inEveryView, openChapter, predictNumber, revealIfVeiled } from './chapter-page.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const PATH = '/chapters/many-servers-one-failing/';
/** s1's clients: those the balancer's hash puts on server 0 of 3. */
const DISPLACED = clientIds(STORM_DEFAULTS.clients).filter((c) => fnv1a(c) % 3 === 0).length;
const shot = (name: string) => shotPath(`wirelab-ch-storm-${name}.png`);
const fact = (id: string) => `#storm [data-testid=${id}]`;

describe.skipIf(!CHROMIUM)('chapter 11: many servers, one failing', () => {
  const session = chapterSession(600_000);

  it('asks for a prediction first, then names the slip behind a wrong guess', async () => {
    const { page, errors } = await openChapter(session, PATH);
    const text = await predictNumber(page, '#storm', STORM_DEFAULTS.clients);
    expect(text).toContain("Only the failed server's clients lose their connection");
    expect(text).toContain(`The busiest 100 ms held ${DISPLACED} attempts`);
    expect(errors).toEqual([]);
  }, 120_000);

  it("starts with the build's answer; the jitter slider, moved by keyboard, lowers the peak", async () => {
    const { page, errors } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#storm');
    expect(await page.textContent(fact('st-displaced'))).toBe(String(DISPLACED));
    expect(await page.textContent(fact('st-down'))).toBe('4.02 s');
    expect(await page.textContent(fact('st-peak'))).toBe(`${DISPLACED} attempts, from 1 s`);
    await page.locator('#storm').getByRole('slider', { name: /Reconnect jitter/ }).focus();
    // none -> 0.1 -> 0.25 -> 0.5
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(async () => Number((await page.textContent(fact('st-peak')))?.split(' ')[0]), { timeout: 90_000 }).toBeLessThan(DISPLACED / 2);
    // Jitter does not change who lost a connection, nor when s1 was marked DOWN.
    expect(await page.textContent(fact('st-displaced'))).toBe(String(DISPLACED));
    expect(await page.textContent(fact('st-down'))).toBe('4.02 s');
    expect(errors).toEqual([]);
  }, 150_000);

  it('downloads the attempts, the servers and the run', async () => {
    const { page } = await openChapter(session, PATH);
    await revealIfVeiled(page, '#storm');
    const attempts = await download(page, 'Attempts CSV', '#storm');
    expect(attempts.filename).toBe('reconnect-storm-attempts.csv');
    const rows = csvParse(attempts.text);
    expect(rows.columns).toEqual(['t_after_failure_s', 'connections_opened', 'handshake_retransmits', 'drops', 'clients_back']);
    // One row per 100 ms from the failure (10 s) to the end of the 30 s run.
    expect(rows.length).toBe(200);
    expect(rows.find((r) => r.t_after_failure_s === '1')).toMatchObject({ connections_opened: String(DISPLACED) });
    expect(rows.at(-1)!.clients_back).toBe(String(DISPLACED));
    const servers = csvParse((await download(page, 'Servers CSV', '#storm')).text);
    expect(servers.map((s) => s.server)).toEqual(['s1', 's2', 's3']);
    expect(servers[0]).toMatchObject({ websockets_before: String(DISPLACED), websockets_after: '0' });
    const run = JSON.parse((await download(page, 'Download run as JSON', '#storm')).text) as { scenario: { nodes: { id: string; role: string }[] } };
    expect(run.scenario.nodes.slice(0, 4).map((n) => `${n.id} ${n.role}`)).toEqual(['lb balancer', 's1 ws-server', 's2 ws-server', 's3 ws-server']);
    expect(run.scenario.nodes.length).toBe(4 + STORM_DEFAULTS.clients);
  }, 120_000);

  it('opens at the state a permalink carries: a power failure, 30 clients', async () => {
    const defaults = Object.fromEntries(Object.entries(STORM_DEFAULTS).filter(([key]) => key !== 'seed'));
    const link = await encodePermalink({ seed: 1, t: 0, params: { ...defaults, failure: 'power', clients: 30 } });
    const { page, errors } = await session.open(`${PATH}?storm=${link}#storm`);
    await revealIfVeiled(page, '#storm');
    const widget = page.locator('#storm');
    await expect.poll(() => widget.getByRole('radio', { name: /loses power/ }).isChecked(), { timeout: 30_000 }).toBe(true);
    // Silent: three checks time out, each after 2 s. s1's last good check ended at 8.010 s; the
    // next starts at 10.010 and times out at 12.010, the next starts 2 s after that (14.010) and
    // times out at 16.010, the third runs 18.010-20.010: DOWN 10.01 s after the failure.
    await expect.poll(() => page.textContent(fact('st-down')), { timeout: 60_000 }).toBe('10.01 s');
    const displaced = clientIds(30).filter((c) => fnv1a(c) % 3 === 0).length;
    expect(await page.textContent(fact('st-displaced'))).toBe(String(displaced));
    expect(errors).toEqual([]);
  }, 120_000);

  it('looks right at 1280 and 390 px, light and dark, with nothing wider than the phone', async () => {
    await inEveryView(session, PATH, async (page, view) => {
      await revealIfVeiled(page, '#storm');
      const widget = page.locator('#storm');
      await widget.scrollIntoViewIfNeeded();
      await widget.screenshot({ path: shot(view) });
      await widget.locator('svg[role=img]').first().screenshot({ path: shot(`${view}-chart`) });
    });
  }, 240_000);
});
