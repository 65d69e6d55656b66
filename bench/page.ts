/**
 * The site in a real Chromium (`npm run bench -- --only=page`): figures printed, never asserted.
 *
 * 1. Page JavaScript per page, gzip: every module a built page loads when all its widgets wake
 *    (tests/browser/page-modules.ts; the simulator's worker is not page JavaScript).
 * 2. The main thread while the Lab runs a long scenario in its worker: long tasks (over 50 ms,
 *    the browser's own definition) from pressing Run until the result is on the page, their
 *    longest, and how long the run took. The browser test only checks behaviour (progress
 *    arrives, the page answers input during a run); how free the thread stays is this figure.
 *
 * 3. The Lab's 10,000-node fleet preset in the worker: the run's time, its progress, and the long
 *    tasks while it runs and while its results are drawn.
 *
 * Needs Chromium (tests/browser/harness.ts finds it) and builds the site once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodePermalink } from '../src/lib/permalink.ts';
import { buildSite, CHROMIUM, NO_CHROMIUM_MESSAGE, startSession } from '../tests/browser/harness.ts';
import { pageModules } from '../tests/browser/page-modules.ts';
import { fmt, mustParse } from './util.ts';

function pageJs(dist: string): void {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== '_astro' && name !== 'pagefind') walk(path);
      } else if (name === 'index.html') pages.push(path);
    }
  };
  walk(dist);
  for (const page of pages.sort()) {
    const modules = pageModules(dist, page);
    const gzip = modules.reduce((n, m) => n + gzipSync(readFileSync(m)).length, 0);
    const raw = modules.reduce((n, m) => n + statSync(m).size, 0);
    console.log(`page js ${page.slice(dist.length).replace(/index\.html$/, '')}: ${fmt(gzip / 1024, 1)} KB gzip (${fmt(raw / 1024, 1)} KB), ${modules.length} modules`);
  }
}

async function labMainThread(): Promise<void> {
  // The browser test's old scenario: 60 MB over 100 Mbit/s with a little loss, seconds of work in the worker.
  const scenario = mustParse({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS: 10,
    defaults: { link: { latencyMs: 5, lossPct: 0.5, bandwidthKbps: 100_000 } },
    nodes: [
      { id: 'a', role: 'tcp-sender', to: 'b', bytes: 60_000_000 },
      { id: 'b', role: 'tcp-sink' },
    ],
  });
  const session = await startSession();
  try {
    const { page } = await session.open(`/lab/?lab=${await encodePermalink({ scenario, seed: 1, t: 0 })}`, {
      init: () => {
        const tasks: [number, number][] = [];
        (window as unknown as { __longTasks: [number, number][] }).__longTasks = tasks;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) tasks.push([e.startTime, e.duration]);
        }).observe({ type: 'longtask', buffered: true });
      },
    });
    await page.getByRole('button', { name: 'Cancel' }).waitFor({ timeout: 30_000 });
    const start = await page.evaluate(() => performance.now());
    await page.waitForSelector('[data-testid=lab-summary]', { timeout: 300_000 });
    const end = await page.evaluate(() => performance.now());
    const during = await page.evaluate(
      ([from, to]) => (window as unknown as { __longTasks: [number, number][] }).__longTasks.filter(([t]) => t >= from! && t <= to!),
      [start, end] as const,
    );
    const longest = during.reduce((m, [, d]) => Math.max(m, d), 0);
    console.log(
      `lab main thread (60 MB tcp transfer at 100 Mbit/s, 0.5% loss, simulated in the worker): run ${fmt((end - start) / 1000, 2)} s; ` +
        `${during.length} long tasks over 50 ms on the page meanwhile${during.length > 0 ? `, longest ${fmt(longest)} ms` : ''}`,
    );
    await page.close();
  } finally {
    await session.close();
  }
}

/**
 * The Lab's "At scale" fleet (src/components/lab/scale.ts: 9,998 QoS 1 sensors and a QoS 0
 * dashboard, 3 s, about 30,000 messages and 1,070,000 trace records) run in the worker as a
 * reader runs it: pick the preset, "Run anyway". Prints the run's wall time, how many progress
 * values the bar showed, the long tasks on the page while it ran and in the 5 s after (drawing
 * the results), and the summary (the same numbers as `wirelab run` on the scenario).
 */
async function labFleet(): Promise<void> {
  const session = await startSession();
  try {
    const { page } = await session.open('/lab/', {
      init: () => {
        const tasks: [number, number][] = [];
        (window as unknown as { __longTasks: [number, number][] }).__longTasks = tasks;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) tasks.push([e.startTime, e.duration]);
        }).observe({ type: 'longtask', buffered: true });
      },
    });
    await page.waitForSelector('astro-island:not([ssr]) [data-testid=lab-summary]', { timeout: 60_000 });
    await page.selectOption('#lab-preset', 'scale-fleet');
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor({ timeout: 120_000 });
    const start = await page.evaluate(() => performance.now());
    await dialog.getByRole('button', { name: 'Run anyway' }).click();
    const values = new Set<string>();
    let seenBar = false;
    for (;;) {
      const value = await page.evaluate(() => document.querySelector('progress.wl-progress')?.getAttribute('value') ?? null);
      if (value !== null) {
        seenBar = true;
        values.add(value);
      } else if (seenBar) break;
      if (await page.locator('.wl-lab-results [role=alert]').count()) throw new Error(String(await page.locator('.wl-lab-results [role=alert]').first().textContent()));
      await page.waitForTimeout(100);
    }
    const end = await page.evaluate(() => performance.now());
    await page.waitForTimeout(5000);
    const tasks = await page.evaluate(() => (window as unknown as { __longTasks: [number, number][] }).__longTasks);
    const during = tasks.filter(([t]) => t >= start && t <= end);
    const after = tasks.filter(([t]) => t > end);
    const longest = (list: [number, number][]) => list.reduce((m, [, d]) => Math.max(m, d), 0);
    console.log(
      `lab fleet (9,998 sensors -> 1 dashboard, 3 s, in the worker): run ${fmt((end - start) / 1000, 1)} s, ${values.size} progress values; ` +
        `${during.length} long tasks over 50 ms while it ran${during.length > 0 ? ` (longest ${fmt(longest(during))} ms)` : ''}, ` +
        `${after.length} in the 5 s after, drawing the results${after.length > 0 ? ` (longest ${fmt(longest(after))} ms)` : ''}`,
    );
    console.log(`lab fleet summary: ${await page.textContent('[data-testid=lab-summary]')}`);
    await page.close();
  } finally {
    await session.close();
  }
}

export async function benchPage(): Promise<void> {
  if (!CHROMIUM) {
    console.log(`page: skipped (${NO_CHROMIUM_MESSAGE})`);
    return;
  }
  pageJs(await buildSite());
  await labMainThread();
  await labFleet();
}
