/**
 * A Lab link in Chromium before the Lab wakes: the HTML holds the build's run of the default
 * preset (seed 3), so a link to another run (seed 29 here) must not show it as if it were the
 * link's. A small inline script (src/pages/lab.astro, allowed by the CSP through its hash) marks
 * the page, and site.css hides those results behind a note until the island hydrates. The Lab's
 * own code is held back here (a route that answers only when the test says so), which is the
 * moment a reader on a slow link sees.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFile } from '../../src/lib/export.ts';
import { encodePermalink } from '../../src/lib/permalink.ts';
import { runSimulation } from '../../src/worker/runtime.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { download } from './chapter-page.ts';
import { CHROMIUM, NO_CHROMIUM_MESSAGE, startSession, type Session } from './harness.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const SUMMARY = '[data-testid=lab-summary]';

/** Opens `path` with the Lab's component script held back until `release()`. */
async function openHeld(session: Session, path: string): Promise<{ page: Page; release: () => void; violations: string[]; errors: string[] }> {
  const page = await session.context.newPage();
  await page.bringToFront();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(/\/_astro\/Lab\.[^/]*\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { wlViolations: string[] }).wlViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI || '(inline)'}`));
  });
  await page.goto(session.url + path, { waitUntil: 'domcontentloaded' });
  const violations = (await page.evaluate(() => (window as unknown as { wlViolations: string[] }).wlViolations)) ?? [];
  return { page, release, violations, errors };
}

/** The note drawn over stale results (the results section's ::after content), or 'none'. */
function staleNote(page: Page): Promise<string> {
  return page.$eval('.wl-lab-results', (el) => getComputedStyle(el, '::after').content);
}

describe.skipIf(!CHROMIUM)('a Lab link before the Lab hydrates', () => {
  let session: Session;

  beforeAll(async () => {
    session = await startSession();
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  });

  it("hides the build's default run behind a note, then shows the link's run", async () => {
    const scenario = {
      schema: 'wirelab/scenario@1',
      seed: 3,
      durationS: 5,
      nodes: [
        { id: 's', role: 'ws-server' },
        { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1000 }] },
      ],
    };
    const { page, release, violations, errors } = await openHeld(session, `/lab/?lab=${await encodePermalink({ scenario: scenario as never, seed: 29, t: 0 })}`);
    // The island has not hydrated; its HTML holds the default's run (seed 3), hidden.
    expect(await page.locator('astro-island[ssr] .wl-lab-results').count()).toBe(1);
    expect(await page.textContent(SUMMARY)).toMatch(/^Seed 3, 10 s simulated/);
    expect(await page.locator(SUMMARY).isVisible()).toBe(false);
    expect(await staleNote(page)).toBe('"Running the scenario from the link…"');
    expect(violations).toEqual([]);

    release();
    await page.waitForFunction((s) => document.querySelector(s)?.textContent?.startsWith('Seed 29, 5 s simulated') ?? false, SUMMARY, { timeout: 60_000 });
    expect(await page.locator(SUMMARY).isVisible()).toBe(true);
    expect(await staleNote(page)).toBe('none');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('runs the scenario it loaded: link settings the scenario leaves out stay out (as the command line runs it)', async () => {
    // No `defaults.link` at all: the simulator's links have no delay and no rate limit. The
    // controls show 25 ms and 10 Mbit/s, and the Lab used to run those.
    const scenario = {
      schema: 'wirelab/scenario@1',
      seed: 3,
      durationS: 5,
      nodes: [
        { id: 's', role: 'ws-server' },
        { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1000 }] },
      ],
    };
    const { page, release, errors } = await openHeld(session, `/lab/?lab=${await encodePermalink({ scenario: scenario as never, seed: 29, t: 0 })}`);
    release();
    await page.waitForFunction((s) => document.querySelector(s)?.textContent?.startsWith('Seed 29, 5 s simulated') ?? false, SUMMARY, { timeout: 60_000 });
    // The controls show 25 ms and 10 Mbit/s; jitter and loss show 0, which is what the run does.
    expect(await page.getByTestId('lab-unset').textContent()).toContain(
      "This scenario sets no latency or bandwidth: it runs with the simulator's defaults (no delay, no rate limit), not the positions shown, until you move those controls.",
    );
    const { text } = await download(page, 'Download run as JSON', '.wl-lab-results');
    const file = JSON.parse(text) as ExportFile;
    expect(file.scenario.defaults?.link).toBeUndefined();
    // What the command line computes for the same scenario and seed (the same runtime, in Node).
    const parsed = parseScenario(scenario);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const cli = runSimulation({ ...parsed.scenario, seed: 29 }, 29);
    expect(file.results.metrics).toEqual(JSON.parse(JSON.stringify(cli.metrics)));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows the default run at once when the address carries no link (it is the right one)', async () => {
    const { page, release, errors } = await openHeld(session, '/lab/');
    expect(await page.locator('astro-island[ssr] .wl-lab-results').count()).toBe(1);
    expect(await page.locator(SUMMARY).isVisible()).toBe(true);
    expect(await page.textContent(SUMMARY)).toMatch(/^Seed 3, 10 s simulated/);
    expect(await staleNote(page)).toBe('none');
    release();
    await page.waitForSelector(`astro-island:not([ssr]) ${SUMMARY}`, { timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("offers the scenario schema's whole duration range (a day) in the Duration field", async () => {
    const { LIMITS } = await import('../../simulator/scenarios/limits.ts');
    const { page, release } = await openHeld(session, '/lab/');
    release();
    expect(Number(await page.getAttribute('#lab-duration', 'max'))).toBe(LIMITS.durationS);
    await page.close();
  }, 60_000);
});
