/**
 * Issue 13 in a real Chromium: a permalink can never take the tab down. The one-year scenario is
 * refused when the link is read (the schema's durationS limit); a valid scenario too big to run
 * is refused by the worker's estimate before it starts; either way the page says why, in text,
 * and the Lab stays usable (its default preset still runs). A big run within the limits is not
 * started until the reader agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath, startSession, type Session } from './harness.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const wsScenario = (durationS: number, everyMs: number) => ({
  schema: 'wirelab/scenario@1',
  seed: 3,
  durationS,
  nodes: [
    { id: 's', role: 'ws-server' },
    { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs }] },
  ],
});

describe.skipIf(!CHROMIUM)('limits in the Lab', () => {
  let session: Session;

  beforeAll(async () => {
    session = await startSession();
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  });

  it('refuses the one-year permalink with the limit named, and still runs the default', async () => {
    // The scenario, verbatim: it took the tab down after about a minute.
    const link = await encodePermalink({ scenario: wsScenario(31_536_000, 1000) as never, seed: 3, t: 0 });
    const { page, errors } = await session.open(`/lab/?lab=${link}`);
    const alert = page.getByRole('alert').filter({ hasText: "This link's settings could not be used" });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain('durationS: expected a number greater than 0 and at most 86400 [limit durationS], got 31536000');
    await page.waitForSelector('[data-testid=lab-summary]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=lab-summary]')).toMatch(/^Seed 3, 10 s simulated/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('refuses a permalink with a 10 GB payload, naming the field and its limit', async () => {
    const tenGb = { ...wsScenario(10, 1000), nodes: [{ id: 's', role: 'ws-server' }, { id: 'c', role: 'ws-client', send: [{ payloadBytes: 1e10, everyMs: 1000 }] }] };
    const { page, errors } = await session.open(`/lab/?lab=${await encodePermalink({ scenario: tenGb as never, seed: 3, t: 0 })}`);
    const alert = page.getByRole('alert').filter({ hasText: "This link's settings could not be used" });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain('nodes[1].send[0].payloadBytes: expected an integer from 0 to 16777216 [limit payloadBytes], got 10000000000');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('refuses a valid scenario too big to run before the worker starts it, naming the limits', async () => {
    // Every millisecond for a day: valid, but 86,400,000 messages.
    const link = await encodePermalink({ scenario: wsScenario(86_400, 1) as never, seed: 3, t: 0 });
    const { page, errors } = await session.open(`/lab/?lab=${link}`);
    const box = page.getByRole('alert').filter({ hasText: 'The scenario is too big to run here' });
    await box.waitFor({ timeout: 30_000 });
    const text = (await box.textContent()) ?? '';
    expect(text).toContain('It was not started, so that this page stays usable:');
    expect(text).toContain('the run would carry about 86,400,000 messages (every send, times its receivers), over the limit of 500,000 [limit messages]');
    // The page still answers: the Lab's own controls work.
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('asks before a big run within the limits, saying what it will take; Cancel leaves it unstarted', async () => {
    // Every millisecond for 200 s: 200,000 messages, under the limit of 500,000, over the 100,000
    // that ask first (simulator/scenarios/limits.ts ASK_LIMITS). Estimate: 200,000 sends, each
    // 1 segment x 1 hop x 8 events = 1,600,000, plus 200 per node = 1,600,400 events; held:
    // 200,000 x 20 bytes + 200,000 x 2 x 160 bytes = 68,000,000 bytes = 68 MB.
    const link = await encodePermalink({ scenario: wsScenario(200, 1) as never, seed: 3, t: 0 });
    const { page, errors } = await session.open(`/lab/?lab=${link}`);
    const dialog = page.getByRole('alertdialog', { name: 'Run this big scenario?' });
    await dialog.waitFor({ timeout: 30_000 });
    expect(await dialog.textContent()).toContain(
      'This run is big: it would carry about 200,000 messages, take about 1,600,400 simulator events and hold up to about 68 MB of messages in memory ' +
        '(past 100,000 messages, a run is big enough to ask first): it may take a minute or more and several hundred MB. It was not started yet.',
    );
    await expect(dialog.getByRole('button', { name: 'Run anyway' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: shotPath('wirelab-limits-ask.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Not started: no progress bar, no results, and the Lab still takes a preset.
    expect(await page.locator('progress.wl-progress').count()).toBe(0);
    expect(await page.locator('[data-testid=lab-summary]').count()).toBe(0);
    await page.getByRole('combobox', { name: 'Start from a preset' }).selectOption('tcp-small');
    await page.waitForFunction(() => document.querySelector('[data-testid=lab-summary]')?.textContent?.startsWith('Seed 3,') ?? false, undefined, { timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('stops a run that has started when it reaches its budget, and says which budget and how to raise it', async () => {
    // A client that cannot reach its broker and reconnects every microsecond: its estimate is small
    // (416 events: nothing is published), so it starts, and runs away until the event budget the
    // worker gives it stops it (ten times the estimate, at least 100,000: src/worker/runtime.ts).
    const runaway = {
      schema: 'wirelab/scenario@1',
      seed: 1,
      durationS: 10,
      nodes: [
        { id: 'b', role: 'mqtt-broker' },
        { id: 'c', role: 'mqtt-client', link: { lossPct: 100 }, tcp: { maxSynRetries: 0, rtoInitial: 1 }, mqtt: { reconnect: { periodMs: 0.001 } } },
      ],
    };
    const { page, errors } = await session.open(`/lab/?lab=${await encodePermalink({ scenario: runaway as never, seed: 1, t: 0 })}`);
    const box = page.getByRole('alert').filter({ hasText: 'The simulation did not finish' });
    await box.waitFor({ timeout: 120_000 });
    // 100,000 events, two per attempt of about 2 µs: stopped near t = 0.1 s.
    const text = (await box.textContent()) ?? '';
    expect(text).toMatch(
      /^The simulation did not finish The simulation was stopped by its event budget: the run executed 100,000 events, its event budget, and was stopped at t=0\.\d{3} s: a runaway model, or a run too big for one go\. /,
    );
    expect(text).toContain(
      'Shorten durationS or send less often; or export the scenario and run it with the command line, which can raise the budget: npx wirelab run scenario.json --max-events N (allows 2N events).',
    );
    await page.screenshot({ path: shotPath('wirelab-limits-budget.png'), fullPage: true });
    // The page stays usable: Reset, then a preset runs in a fresh worker.
    await box.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('combobox', { name: 'Start from a preset' }).selectOption('tcp-small');
    await page.waitForFunction(() => document.querySelector('[data-testid=lab-summary]')?.textContent?.startsWith('Seed 3,') ?? false, undefined, { timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
