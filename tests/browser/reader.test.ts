/**
 * What a reader sees, in Chromium on the built site: charts legible on a 390 px phone (every chart
 * text at least 11 px as rendered, no page scrolling sideways), a print layout (controls hidden,
 * tables open, nothing cut by a page break that fits on a page), exports that are honest (a
 * packets CSV that says when it holds only the first packets; SVGs on a solid background with a
 * caption naming scenario, seed and version, in the dark theme too), and a strict
 * Content-Security-Policy that no page violates. Screenshots land in the temp folder as
 * `wirelab-reader-*.png`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAnswer } from '../../src/components/widgets/lib/answerCodec.ts';
import { APP_VERSION } from '../../src/lib/version.ts';
import { COURSE } from '../../src/worker/course/index.ts';
import { buildSite, hydrateAll, CHROMIUM, NO_CHROMIUM_MESSAGE, shotPath, startSession, type Session } from './harness.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

/** Every chapter, from its file (`NN-slug.mdx` is served at /chapters/slug/): a new one is checked by itself. */
const CHAPTERS = readdirSync(join(import.meta.dirname, '../../content/docs/chapters'))
  .filter((n) => n.endsWith('.mdx') && !n.startsWith('_'))
  .sort()
  .map((n) => `/chapters/${n.replace(/^\d+-/, '').replace(/\.mdx$/, '')}/`);
const PAGES = ['/', '/lab/', ...CHAPTERS];
/** Height of an A4 page's printable area in CSS px (297 mm at 96 px per inch, less 2 x 10 mm margins). */
const PAGE_HEIGHT_PX = Math.floor(((297 - 20) / 25.4) * 96);
/** Width of that area (210 mm less 2 x 10 mm). */
const PAGE_WIDTH_PX = Math.floor(((210 - 20) / 25.4) * 96);

function shot(name: string): string {
  return shotPath(`wirelab-reader-${name}.png`);
}

function slug(path: string): string {
  return path.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home';
}

/** Hydrates every island and waits until the widgets' first answers are drawn. */
async function settle(page: Page): Promise<void> {
  expect(await hydrateAll(page)).toEqual([]);
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, { timeout: 30_000 }).catch(() => {});
}

/** Every chart text's rendered size: its computed font size times the drawing's scale on the page. */
async function chartTextSizes(page: Page): Promise<{ text: string; px: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<SVGSVGElement>('.wl-chart-host svg')].flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      const drawn = svg.viewBox.baseVal.width || box.width;
      const scale = box.width / drawn;
      return [...svg.querySelectorAll('text')]
        .filter((t) => (t.textContent ?? '').trim() !== '')
        .map((t) => ({ text: (t.textContent ?? '').slice(0, 40), px: Math.round(parseFloat(getComputedStyle(t).fontSize) * scale * 100) / 100 }));
    }),
  );
}

describe.skipIf(!CHROMIUM)('what the reader sees', () => {
  let session: Session;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it("starts every widget at its course module's defaults: the HTML holds the run at the defaults, and waking the widgets asks the worker nothing", async () => {
    // Every chapter the build made (a new one joins by itself).
    const dist = await buildSite();
    const chapters = readdirSync(join(dist, 'chapters'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `/chapters/${d.name}/`);
    const seen: string[] = [];
    const problems: string[] = [];
    for (const path of chapters) {
      const { page, errors } = await session.open(path);
      const workers: string[] = [];
      page.on('worker', (w) => workers.push(w.url()));
      // 1. The answer the build wrote is the module's run at its `defaults` (same input, key by key).
      const answers = await page.evaluate(() => [...document.querySelectorAll('[data-wl-course]')].map((e) => [e.getAttribute('data-wl-course')!, e.getAttribute('data-wl-answer')!] as const));
      for (const [name, text] of answers) {
        seen.push(name);
        const module = (COURSE as unknown as Record<string, { defaults: unknown }>)[name];
        if (!module) problems.push(`${path}: no course module "${name}"`);
        else expect([path, name, (decodeAnswer(text) as { input?: unknown }).input]).toEqual([path, name, module.defaults]);
      }
      // 2. Each widget builds its input from its controls as it wakes and asks the worker only when
      //    that differs from the answer it holds (sameInput): a control starting elsewhere starts the worker.
      expect(await hydrateAll(page)).toEqual([]);
      await page.waitForTimeout(1000);
      if (workers.length > 0) problems.push(`${path}: a widget asked the worker before the reader changed anything (${workers.join(', ')})`);
      expect(errors).toEqual([]);
      await page.close();
    }
    expect(problems).toEqual([]);
    // Every course module with a widget in a chapter was seen (three when this was written).
    expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('draws every chart at the phone\'s width: no chart text under 11 px, no page wider than the screen', async () => {
    const problems: string[] = [];
    let measured = 0;
    for (const path of PAGES) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page, errors } = await session.open(path, { width: 390, colorScheme });
        await settle(page);
        // A chapter whose widgets draw no ChartFrame chart (chapter 6's timeline is HTML) has none to wait for.
        if (path !== '/' && (await page.locator('.wl-chart-host').count()) > 0) await page.waitForSelector('.wl-chart-host svg', { timeout: 30_000 });
        await page.screenshot({ path: shot(`${slug(path)}-phone-${colorScheme}`), fullPage: true });
        for (const { text, px } of await chartTextSizes(page)) {
          measured++;
          if (px < 11) problems.push(`${path}: "${text}" renders at ${px} px`);
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow !== 0) problems.push(`${path} (${colorScheme}): the page scrolls ${overflow} px sideways`);
        for (const e of errors) problems.push(`${path}: console: ${e}`);
        await page.close();
      }
    }
    expect(problems).toEqual([]);
    // Four pages with charts (16 to 44 texts each, 168 in all when this was written), in two themes.
    expect(measured).toBeGreaterThan(100);
  }, 300_000);

  it('prints without controls, with the tables open and no chart, table or box cut by a page break', async () => {
    const problems: string[] = [];
    for (const path of [...CHAPTERS, '/lab/']) {
      const { page } = await session.open(path, { width: PAGE_WIDTH_PX, colorScheme: 'dark' });
      await settle(page);
      if (path === '/lab/') await page.waitForSelector('[data-testid=lab-summary]', { timeout: 30_000 });
      else if ((await page.locator('.wl-chart-host').count()) > 0) await page.waitForSelector('.wl-chart-host svg', { timeout: 30_000 });
      await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
      await page.screenshot({ path: shot(`${slug(path)}-print`), fullPage: true });
      const report = await page.evaluate((pageHeight) => {
        const visible = (el: Element) => {
          const box = el.getBoundingClientRect();
          return getComputedStyle(el).display !== 'none' && box.width > 0 && box.height > 0;
        };
        const shownControls = [...document.querySelectorAll('main button, main input, main select, main textarea')]
          .filter(visible)
          .map((el) => `${el.tagName.toLowerCase()} ${el.getAttribute('type') ?? ''} "${(el.getAttribute('aria-label') ?? el.getAttribute('name') ?? el.textContent ?? '').trim().slice(0, 30)}"`);
        const closedTables = [...document.querySelectorAll('main details')]
          .filter(visible)
          .filter((d) => [...d.children].some((c) => c.tagName !== 'SUMMARY' && c.getBoundingClientRect().height === 0))
          .map((d) => (d.querySelector('summary')?.textContent ?? '').trim());
        // A box taller than a page cannot avoid a break; everything else must ask for none.
        const units = [...document.querySelectorAll('main .wl-widget, main .wl-chart-host svg, main table, main .wl-claim, main .wl-question')].filter(visible);
        const breakable = units
          .filter((el) => el.getBoundingClientRect().height <= pageHeight && getComputedStyle(el).breakInside !== 'avoid')
          .map((el) => el.className.toString() || el.tagName);
        // A table longer than a page may break, but only between rows; a chart never.
        const tall = units.filter((el) => !el.matches('.wl-widget') && el.getBoundingClientRect().height > pageHeight);
        const tooTall = tall
          .filter((el) => !(el instanceof HTMLTableElement) || [...el.rows].some((r) => getComputedStyle(r).breakInside !== 'avoid'))
          .map((el) => el.className.toString() || el.tagName);
        const bodyColor = getComputedStyle(document.body).color;
        return { shownControls, closedTables, breakable, tooTall, units: units.length, bodyColor };
      }, PAGE_HEIGHT_PX);
      for (const c of report.shownControls) problems.push(`${path}: ${c} is printed`);
      for (const t of report.closedTables) problems.push(`${path}: "${t}" stays closed in print`);
      for (const b of report.breakable) problems.push(`${path}: ${b} may be cut by a page break`);
      for (const b of report.tooTall) problems.push(`${path}: ${b} is taller than a page and may be cut inside`);
      if (report.units < 2) problems.push(`${path}: found only ${report.units} printable units`);
      // Starlight prints dark-theme pages in light colours: dark text on the white paper.
      const [r, g, b] = report.bodyColor.match(/\d+/g)!.map(Number);
      if (r! + g! + b! > 3 * 128) problems.push(`${path}: printed text colour ${report.bodyColor} is light`);
      await page.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);

  it('exports a chart as an SVG on a solid background with a caption naming scenario, seed and version (dark theme)', async () => {
    const { page, errors } = await session.open('/chapters/two-protocols/', { colorScheme: 'dark' });
    await settle(page);
    const button = page.getByRole('button', { name: 'Download MQTT wiring as SVG' });
    await button.waitFor({ timeout: 30_000 });
    const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const svg = readFileSync(await file.path(), 'utf8');
    const pageBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // The background rect is the first thing drawn, in the page's (dark) colour, not transparent.
    const first = /<svg[^>]*>\s*(<rect[^>]*>)/.exec(svg)?.[1] ?? '';
    expect(first).toContain(`fill="${pageBackground}"`);
    expect(pageBackground).not.toMatch(/rgba\(.*,\s*0\)|transparent/);
    const caption = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]).join(' ');
    expect(caption).toContain('Scenario: chapter 1, MQTT wiring at 0.00 s (20 ms per access link, 0% loss)');
    expect(caption).toContain(`seed 1 · wirelab ${APP_VERSION}`);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('says in the packets CSV\'s first line, and on the page, when the file holds only the first packets of the run', async () => {
    const { page, errors } = await session.open('/lab/');
    await page.waitForSelector('[data-testid=lab-summary]', { timeout: 30_000 });
    const before = await page.textContent('[data-testid=lab-summary]');
    // tcp-bulk: thousands of packets, more than the Lab's 2,000 trace records hold.
    await page.getByLabel('Start from a preset').selectOption('tcp-bulk');
    await page.waitForFunction((old) => {
      const text = document.querySelector('[data-testid=lab-summary]')?.textContent ?? '';
      return text !== '' && text !== old;
    }, before, { timeout: 60_000 });
    const note = page.getByTestId('packets-partial');
    await note.waitFor({ timeout: 10_000 });
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download packets CSV' }).click()]);
    const text = readFileSync(await file.path(), 'utf8');
    const [first, ...rest] = text.split('\n');
    const m = /^# This file holds the first ([\d,]+) of ([\d,]+) packets of the run/.exec(first!);
    expect(m).not.toBeNull();
    const held = Number(m![1]!.replace(/,/g, ''));
    const total = Number(m![2]!.replace(/,/g, ''));
    const rows = csvParse(rest.join('\n'));
    expect(rows.length).toBe(held);
    expect(total).toBeGreaterThan(held);
    // The page's note names the same two numbers.
    await expect(note.textContent()).resolves.toContain(`the first ${m![1]} of ${m![2]} packets`);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('gives every packet of the handshake diagram its own arrow, clickable, and moves between packets with the arrow keys', async () => {
    const { page, errors } = await session.open('/chapters/opening-a-connection/');
    await settle(page);
    await page.waitForSelector('.wl-seq g.msg', { timeout: 30_000 });
    const arrows = await page.$$eval('.wl-seq g.msg', (groups) => groups.map((g) => {
      const line = g.querySelectorAll('line')[1]!;
      return { id: g.getAttribute('data-id')!, at: ['x1', 'y1', 'x2', 'y2'].map((a) => line.getAttribute(a)).join(',') };
    }));
    // The default WebSocket view: SYN, SYN-ACK, ACK and the upgrade GET leave the client together, ... 8 packets.
    expect(arrows.length).toBe(8);
    expect(new Set(arrows.map((a) => a.at)).size).toBe(arrows.length);
    // Each label takes a real click (Playwright refuses when another element would receive it).
    for (const { id } of arrows) {
      await page.locator(`.wl-seq g.msg[data-id="${id}"] text`).click();
      await expect.poll(() => page.locator(`.wl-seq g.msg[data-id="${id}"]`).getAttribute('aria-pressed')).toBe('true');
    }
    // One tab stop; Home, ArrowDown and End move focus and selection.
    await expect(page.locator('.wl-seq g.msg[tabindex="0"]').count()).resolves.toBe(1);
    await page.locator('.wl-seq g.msg[tabindex="0"]').focus();
    await page.keyboard.press('Home');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-id') ?? null);
    await expect.poll(focused).toBe(arrows[0]!.id);
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe(arrows[1]!.id);
    await expect.poll(() => page.locator(`.wl-seq g.msg[data-id="${arrows[1]!.id}"]`).getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('End');
    await expect.poll(focused).toBe(arrows.at(-1)!.id);
    await page.screenshot({ path: shot('handshake-diagram'), fullPage: false });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("steps chapter 1's animation to the next moment a packet leaves or arrives, and heads each picture with on the way / arrived", async () => {
    const { page, errors } = await session.open('/chapters/two-protocols/');
    await settle(page);
    const totals = page.locator('.wl-chart-host svg text.totals').first();
    await totals.waitFor({ timeout: 30_000 });
    const time = page.getByRole('slider', { name: 'Time' });
    const before = [await totals.textContent(), await time.inputValue()];
    expect(before[0]).toMatch(/^\d+ on the way · \d+ arrived \([\d,]+ B\)/);
    // Each step lands on an event: what the pictures show changes with every step (a fixed
    // 10 ms step from 0 would often land between events and change nothing).
    let previous = before;
    for (let i = 0; i < 4; i++) {
      await page.getByRole('button', { name: 'Step forward' }).click();
      await expect.poll(async () => [await totals.textContent(), await time.inputValue()].join('|')).not.toBe(previous.join('|'));
      previous = [await totals.textContent(), await time.inputValue()];
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
