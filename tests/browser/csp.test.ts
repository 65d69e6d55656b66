/**
 * The built site's Content-Security-Policy (src/lib/csp.ts) in Chromium: every page carries a
 * strict policy (no 'unsafe-inline' or 'unsafe-eval' for scripts), and visiting every page,
 * waking every widget, running the Lab, stepping a diagram and searching raise no violation. A
 * script injected into a page is refused, and the check sees that refusal: so the check can fail.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, hydrateAll, CHROMIUM, NO_CHROMIUM_MESSAGE, startSession, type Session } from './harness.ts';

if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

/** Records every `securitypolicyviolation` event of the page (and its frames) from the start. */
function recordViolations(): void {
  const seen: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
  });
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? ['(recorder missing)']);
}

describe.skipIf(!CHROMIUM)('Content-Security-Policy', () => {
  let session: Session;
  let pages: string[];

  beforeAll(async () => {
    session = await startSession();
    const dist = await buildSite();
    const chapters = readdirSync(join(dist, 'chapters'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `/chapters/${d.name}/`);
    pages = ['/', '/lab/', '/404.html', ...chapters];
  });

  afterAll(async () => {
    await session?.close();
  });

  it('puts a strict policy on every page: scripts from our origin or by hash, no eval', async () => {
    const problems: string[] = [];
    for (const path of pages) {
      const { page } = await session.open(path);
      const policies = await page.$$eval('meta[http-equiv="Content-Security-Policy"]', (metas) => metas.map((m) => m.getAttribute('content') ?? ''));
      if (policies.length !== 1) problems.push(`${path}: ${policies.length} policies`);
      const script = /(?:^|; )script-src ([^;]*)/.exec(policies[0] ?? '')?.[1] ?? '';
      if (!script.startsWith("'self'")) problems.push(`${path}: script-src is "${script}"`);
      for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'blob:']) if (script.split(' ').includes(bad)) problems.push(`${path}: script-src allows ${bad}`);
      if (!/(?:^|; )object-src 'none'/.test(policies[0] ?? '')) problems.push(`${path}: no object-src 'none'`);
      // The policy comes before every script, so it governs them all.
      const before = await page.evaluate(() => {
        const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
        return [...document.querySelectorAll('script')].filter((s) => meta && meta.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_PRECEDING).length;
      });
      if (before !== 0) problems.push(`${path}: ${before} scripts come before the policy`);
      await page.close();
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('raises no violation on any page, with every widget awake and used', async () => {
    const problems: string[] = [];
    for (const path of pages) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page, errors } = await session.open(path, { colorScheme, init: recordViolations });
        for (const island of await hydrateAll(page)) problems.push(`${path} (${colorScheme}): island ${island} did not hydrate`);
        await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, { timeout: 30_000 }).catch(() => {});
        // Use what runs code on demand: step a diagram, play an animation, export a PNG (an image from a blob URL).
        for (const name of ['Start over', 'Next packet', 'Play']) {
          const button = page.getByRole('button', { name, exact: true }).first();
          if ((await button.count()) && (await button.isEnabled())) await button.click();
        }
        const png = page.getByRole('button', { name: /as PNG$/ }).first();
        if (await png.count()) await Promise.all([page.waitForEvent('download'), png.click()]);
        await page.waitForTimeout(300);
        for (const v of await violations(page)) problems.push(`${path} (${colorScheme}): ${v}`);
        for (const e of errors) problems.push(`${path} (${colorScheme}) console: ${e}`);
        await page.close();
      }
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it('runs the Lab and the full-text search (a WebAssembly index) under the policy', async () => {
    const { page, errors } = await session.open('/', { init: recordViolations });
    await page.getByRole('button', { name: 'Search' }).click();
    const input = page.locator('.pagefind-ui__search-input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('handshake');
    await page.locator('.pagefind-ui__result-link').first().waitFor({ timeout: 30_000 });
    expect(await violations(page)).toEqual([]);
    await page.goto(`${session.url}/lab/`);
    await page.waitForSelector('[data-testid=lab-summary]', { timeout: 30_000 });
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('refuses a script injected into a page, and the check above sees the refusal', async () => {
    const { page } = await session.open('/chapters/two-protocols/', { init: recordViolations });
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true;';
      document.head.append(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    expect((await violations(page)).some((v) => v.startsWith('script-src-elem blocked inline'))).toBe(true);
    await page.close();
  }, 60_000);
});
