/**
 * What the chapter browser tests share: opening a chapter and waiting for its widgets, reading a
 * row of a widget's results table, downloading an export, and revealing a result the prediction
 * still veils. Each chapter test keeps only what is particular to its widget.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { hydrateAll, type Session } from './harness.ts';

type OpenOptions = Parameters<Session['open']>[1];

/** Waits until every island on the page has hydrated and no widget is busy. */
export async function settleWidgets(page: Page, hydrateTimeoutMs = 20_000): Promise<void> {
  expect(await hydrateAll(page, hydrateTimeoutMs)).toEqual([]);
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, { timeout: 30_000 });
}

/** Opens `path` and waits until its islands have hydrated. */
export async function openChapter(session: Session, path: string, options: OpenOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const opened = await session.open(path, options);
  expect(await hydrateAll(opened.page)).toEqual([]);
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
