/**
 * What every browser test needs: the built site (built once per `vitest run`, into its own
 * folder so it never clobbers `dist/`), a static file server on 127.0.0.1 at a free port, and
 * Debian's Chromium driven by playwright-core with a fresh profile. Everything started here is
 * stopped by `close()`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Chromium's path, or null when it is not installed. An explicit $CHROMIUM_PATH is the only candidate. */
export function findChromium(): string | null {
  const explicit = process.env.CHROMIUM_PATH;
  const candidates = explicit ? [explicit] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => existsSync(p)) ?? null;
}

export const CHROMIUM = findChromium();
export const NO_CHROMIUM_MESSAGE =
  'Browser tests skipped: Chromium was not found at $CHROMIUM_PATH or /usr/bin/chromium. ' +
  'Install it (Debian/Ubuntu: `apt-get install chromium`) or set CHROMIUM_PATH to a Chromium binary.';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Where a browser test saves a screenshot or PDF for review: `$WIRELAB_SHOTS`, or a folder in the
 * temp directory named after this checkout (`wirelab-shots-work-main` for /work/main), so two
 * checkouts testing at once (git worktrees, say) never overwrite each other's pictures.
 */
export function shotPath(file: string): string {
  const dir = process.env.WIRELAB_SHOTS ?? join(tmpdir(), `wirelab-shots-${ROOT.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`);
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}

/**
 * Builds the site once per test run (the vitest main process's pid names the folder; a lock
 * directory makes concurrent test files wait for the one that builds). Returns the output folder.
 */
export async function buildSite(): Promise<string> {
  removeStaleBuilds();
  const base = join(tmpdir(), `wirelab-site-${process.ppid}`);
  const out = join(base, 'dist');
  const done = join(base, 'built');
  const lock = join(base, 'lock');
  mkdirSync(base, { recursive: true });
  for (;;) {
    if (existsSync(done)) return out;
    try {
      mkdirSync(lock);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    const astro = join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
    await new Promise<void>((resolvePromise, reject) => {
      execFile(
        process.execPath,
        [astro, 'build', '--outDir', out, '--silent'],
        { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: buildEnv() },
        (error, _stdout, stderr) => (error ? reject(new Error(`astro build failed:\n${stderr}`)) : resolvePromise()),
      );
    });
    writeFileSync(done, new Date().toISOString());
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The environment for `astro build`: vitest puts its own mode into process.env (NODE_ENV=test,
 * DEV, PROD, SSR, MODE, VITEST...), which would build a development flavour of the site (Starlight
 * then says "search is only available in production builds"). The site under test must be
 * exactly what `npm start` serves.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(NODE_ENV|DEV|PROD|SSR|MODE|BASE_URL|TEST|VITEST.*|VITE_.*)$/.test(key)) continue;
    env[key] = value;
  }
  env.ASTRO_TELEMETRY_DISABLED = '1';
  return env;
}

/** Deletes the built sites of earlier test runs (their vitest process is gone). */
function removeStaleBuilds(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^wirelab-site-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.ppid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** Where a `?split` page is cut: past the header and sidebars, before the chapter's text. */
const SPLIT_AT = 20_000;

/** A static file server for `dir` on 127.0.0.1 at a free port. */
export async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const rootDir = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(rootDir, path));
    if (file !== rootDir && !file.startsWith(rootDir + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) {
      if (!path.endsWith('/')) {
        res.writeHead(301, { location: `${path}/` }).end();
        return;
      }
      file = join(file, 'index.html');
    }
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': MIME['.html']! });
      res.end(existsSync(join(rootDir, '404.html')) ? readFileSync(join(rootDir, '404.html')) : 'not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    const body = readFileSync(file);
    // `?split`: the page arrives in two parts, 600 ms apart, as a long page does on a slow link,
    // so the browser paints what it has parsed so far (the layout-shift test needs that moment).
    if (new URL(req.url ?? '/', 'http://x').searchParams.has('split') && extname(file) === '.html') {
      res.write(body.subarray(0, SPLIT_AT));
      setTimeout(() => res.end(body.subarray(SPLIT_AT)), 600);
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, server };
}

export interface Session {
  url: string;
  context: BrowserContext;
  /** A new page that records console errors and page errors into `errors`. */
  open(path: string, options?: { colorScheme?: 'light' | 'dark'; width?: number; init?: () => void }): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Builds (once), serves and launches Chromium with a fresh profile. */
export async function startSession(): Promise<Session> {
  if (!CHROMIUM) throw new Error(NO_CHROMIUM_MESSAGE);
  const dir = await buildSite();
  const { url, server } = await serve(dir);
  const profile = mkdtempSync(join(tmpdir(), 'wirelab-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
  } catch (error) {
    server.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    context,
    async open(path, options = {}) {
      const page = await context.newPage();
      // Only the front tab renders: IntersectionObserver (client:visible islands) and
      // requestAnimationFrame stay asleep in a background tab.
      await page.bringToFront();
      const errors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      if (options.colorScheme) await page.emulateMedia({ colorScheme: options.colorScheme });
      if (options.width) await page.setViewportSize({ width: options.width, height: 900 });
      if (options.init) await page.addInitScript(options.init);
      await page.goto(url + path, { waitUntil: 'load' });
      return { page, errors };
    },
    async close() {
      await context.close().catch(() => {});
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  // Evaluated through the DevTools protocol, not added as a <script>: the site's
  // Content-Security-Policy refuses inline scripts it has no hash for (src/lib/csp.ts).
  await page.evaluate(readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}

/**
 * Scrolls every island into view (islands hydrate when visible) and waits until none is left
 * unhydrated (Astro removes an island's `ssr` attribute once it has hydrated). Returns the
 * component names of islands still not hydrated after `timeoutMs`.
 */
export async function hydrateAll(page: Page, timeoutMs = 20_000): Promise<string[]> {
  // An island is `display: contents`; scroll its first rendered child instead.
  await page.evaluate(async () => {
    for (const island of document.querySelectorAll('astro-island')) {
      (island.firstElementChild ?? island).scrollIntoView({ block: 'center' });
      await new Promise((r) => setTimeout(r, 150));
    }
    window.scrollTo(0, 0);
  });
  try {
    await page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0, undefined, { timeout: timeoutMs });
  } catch {
    // fall through: report which ones
  }
  return page.$$eval('astro-island[ssr]', (islands) => islands.map((i) => i.getAttribute('component-export') ?? '?'));
}
