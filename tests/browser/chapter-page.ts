/**
 * What the chapter browser tests share: one browser session per test file, opening a chapter and
 * waiting for its widgets, predicting (by choice or by number) and reading the outcome, reading a
 * row of a widget's results table, downloading an export, revealing a result the prediction still
 * veils, and looking at the page at 1280 and 390 px, light and dark, with the checks every page
 * must pass there. Each chapter test keeps only what is particular to its widget.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { hydrateAll, startSession, type Session } from './harness.ts';

type OpenOptions = Parameters<Session['open']>[1];
/** What a chapter test needs of a session: opening pages. */
export type Pages = Pick<Session, 'open'>;

/**
 * One browser session for the tests of the enclosing `describe`: started (the site built once per
 * `vitest run`) before them, closed after them.
 */
export function chapterSession(startTimeoutMs = 300_000): Pages {
  let session: Session | undefined;
  beforeAll(async () => {
    session = await startSession();
  }, startTimeoutMs);
  afterAll(async () => {
    await session?.close();
  });
  return {
    open(path, options) {
      if (!session) throw new Error('the browser session has not started (chapterSession() belongs in a describe block)');
      return session.open(path, options);
    },
  };
}

/** Waits until every island on the page has hydrated and no widget is busy. */
export async function settleWidgets(page: Page, hydrateTimeoutMs = 20_000): Promise<void> {
  expect(await hydrateAll(page, hydrateTimeoutMs)).toEqual([]);
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, { timeout: 30_000 });
}

/** Opens `path` and waits until its islands have hydrated. */
export async function openChapter(session: Pages, path: string, options: OpenOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const opened = await session.open(path, options);
  expect(await hydrateAll(opened.page)).toEqual([]);
  return opened;
}

/** Opens `path` and waits until its islands have hydrated and no widget is busy. */
export async function openSettled(session: Pages, path: string, options: OpenOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const opened = await session.open(path, options);
  await settleWidgets(opened.page, 60_000);
  return opened;
}

/** The cells of the row of `scope`'s results table whose heading starts with `heading`. */
export async function resultsRow(page: Page, scope: string, heading: string): Promise<string[]> {
  return page.$$eval(`${scope} table.wl-results tr`, (rows, h) => {
    const tr = rows.find((r) => r.querySelector('th')?.textContent?.trim().startsWith(h));
    return tr ? [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '') : [];
  }, heading);
}

/** Clicks the first button called `name` inside `scope` and returns the file it downloads. */
export async function download(page: Page, name: string, scope = 'body'): Promise<{ filename: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator(scope).getByRole('button', { name }).first().click()]);
  return { filename: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** Reveals the result if the prediction in `scope` still veils it (the reader may also just look). */
export async function revealIfVeiled(page: Page, scope: string): Promise<void> {
  const show = page.locator(scope).getByRole('button', { name: /show without guessing/i });
  if (await show.count()) await show.first().click();
}

/** Checks the prediction in `scope` still veils its result (out of the tab order) before a guess. */
async function expectVeiled(page: Page, scope: string): Promise<void> {
  const widget = page.locator(scope);
  await widget.scrollIntoViewIfNeeded();
  await expect.poll(() => widget.locator('.wl-predict-veil').isVisible()).toBe(true);
  expect(await widget.locator('.wl-predict-result').first().getAttribute('inert')).not.toBeNull();
}

/** Locks in the guess made, waits for the comparison and returns its text. */
async function lockIn(page: Page, scope: string, by: 'click' | 'keyboard'): Promise<string> {
  const widget = page.locator(scope);
  const lock = widget.getByRole('button', { name: 'Lock in my guess' });
  if (by === 'keyboard') {
    await lock.focus();
    await page.keyboard.press('Enter');
  } else await lock.click();
  const outcome = widget.locator('.wl-predict-outcome');
  await expect.poll(() => outcome.isVisible()).toBe(true);
  return (await outcome.textContent()) ?? '';
}

/**
 * A choice prediction by keyboard: checks the result is veiled, focuses the choice named `choice`,
 * selects it with Space, locks it in (a click, or Enter on the button) and returns the outcome's text.
 */
export async function predictChoice(page: Page, scope: string, choice: RegExp, lock: 'click' | 'keyboard' = 'click'): Promise<string> {
  await expectVeiled(page, scope);
  await page.locator(scope).getByRole('radio', { name: choice }).focus();
  await page.keyboard.press('Space');
  return lockIn(page, scope, lock);
}

/** A number prediction: checks the result is veiled, types `guess`, locks it in and returns the outcome's text. */
export async function predictNumber(page: Page, scope: string, guess: number): Promise<string> {
  await expectVeiled(page, scope);
  await page.locator(scope).getByLabel('Your guess').fill(String(guess));
  return lockIn(page, scope, 'click');
}

/** The four ways every chapter is looked at. */
export const VIEWS = [[1280, 'light'], [1280, 'dark'], [390, 'light'], [390, 'dark']] as const;

/**
 * What a chapter page must be in any view: no sideways scrolling (else the widest elements outside
 * Starlight's frame are named), every chart text at least 11 px as drawn (the site's rule,
 * tests/browser/reader.test.ts), and with `tablesFit` widgets' results tables that fit their boxes
 * (a wide table may scroll inside its own box on a phone; some chapters keep theirs narrow enough).
 */
export async function expectReadable(page: Page, view: string, { tablesFit = false } = {}): Promise<void> {
  const wide = await page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return [];
    const named = [...document.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 && !e.closest('.wl-table-wrap, .wl-chart-host'))
      .slice(0, 6)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}: ${Math.round(e.getBoundingClientRect().right)} px`);
    return named.length > 0 ? named : [`the page is ${root.scrollWidth - root.clientWidth} px wider than the window`];
  });
  expect(wide, view).toEqual([]);
  if (tablesFit) {
    // (A chart's table twin may still scroll: only the widgets' results tables are held to it.)
    const wideTables = await page.$$eval('.wl-table-wrap:has(> table.wl-results)', (wraps) => wraps.filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.getAttribute('aria-label')));
    expect(wideTables, view).toEqual([]);
  }
  const small = await page.evaluate(() =>
    [...document.querySelectorAll<SVGSVGElement>('.wl-chart-host svg')].flatMap((svg) => {
      const scale = svg.getBoundingClientRect().width / (svg.viewBox.baseVal.width || 1);
      return [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale).filter((px) => px < 10.9);
    }),
  );
  expect(small, view).toEqual([]);
}

/**
 * Opens `path` in each of the four views, waits for its widgets, lets `look` act and take its
 * screenshots (`view` is "1280-light"...), then checks the page is readable (`expectReadable`,
 * with `readable`'s options) and logged no error.
 */
export async function inEveryView(session: Pages, path: string, look: (page: Page, view: string) => Promise<void>, readable: { tablesFit?: boolean } = {}): Promise<void> {
  for (const [width, colorScheme] of VIEWS) {
    const view = `${width}-${colorScheme}`;
    const { page, errors } = await openSettled(session, path, { width, colorScheme });
    await look(page, view);
    await expectReadable(page, view, readable);
    expect(errors, view).toEqual([]);
    await page.close();
  }
}

/** A screenshot of the window scrolled to each part (`[name, selector]`), saved at `path(name)`. */
export async function screenshotParts(page: Page, parts: readonly (readonly [string, string])[], path: (name: string) => string): Promise<void> {
  for (const [name, selector] of parts) {
    await page.locator(selector).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path(name) });
  }
}
