/**
 * The built site's Content-Security-Policy: a `<meta http-equiv>` tag written into every HTML
 * page after the build, from what that page really holds.
 *
 * - Scripts: only from our own origin, plus the SHA-256 hash of each inline script the page
 *   keeps (Starlight's theme and search bootstraps, Astro's island loader, the zod switch below).
 *   No 'unsafe-inline', no 'unsafe-eval'. 'wasm-unsafe-eval' lets Pagefind's search index (a
 *   WebAssembly module from our origin) compile; it does not allow `eval` or `new Function`.
 * - zod compiles object parsers with `new Function` unless told not to; a CSP without
 *   'unsafe-eval' then reports a violation on the first schema even though zod catches it. The
 *   inline `ZOD_JITLESS` script sets zod's global config (`globalThis.__zod_globalConfig`, read
 *   when zod loads) to jitless before any module runs.
 * - Styles: `<style>` elements by hash, stylesheets from our origin; style *attributes* are
 *   allowed ('unsafe-inline' for style-src-attr only): Starlight's markup and the charts set
 *   them, and an attribute cannot run script.
 * - A meta tag cannot carry `frame-ancestors`; a host that serves headers can add it.
 *
 * tests/browser/csp.test.ts visits every page, uses the widgets, and requires no violation.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Sets zod's global config before zod loads (see above). */
export const ZOD_JITLESS = 'globalThis.__zod_globalConfig={jitless:true};';

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Inline scripts (no `src`) and `<style>` elements of an HTML page, as the browser hashes them. */
export function inlineBlocks(html: string): { scripts: string[]; styles: string[] } {
  const scripts: string[] = [];
  const styles: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attributes = m[1] ?? '';
    // JSON data blocks are not executed; a `src` script is covered by 'self'.
    if (/\bsrc\s*=/i.test(attributes) || /type\s*=\s*["']?application\/(ld\+)?json/i.test(attributes)) continue;
    scripts.push(m[2] ?? '');
  }
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) styles.push(m[1] ?? '');
  return { scripts, styles };
}

/** The policy for one page. */
export function contentSecurityPolicy(html: string): string {
  const { scripts, styles } = inlineBlocks(html);
  const unique = (blocks: string[]) => [...new Set(blocks.map(sha256))];
  return [
    "default-src 'self'",
    ["script-src 'self' 'wasm-unsafe-eval'", ...unique(scripts)].join(' '),
    ["style-src-elem 'self'", ...unique(styles)].join(' '),
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** The page with its policy as the first thing after `<meta charset>` (before any script runs). */
export function withCsp(html: string): string {
  if (/http-equiv=["']?content-security-policy/i.test(html)) throw new Error('page already has a Content-Security-Policy');
  const tag = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(html)}">`;
  const charset = /<meta charset=[^>]*>/i.exec(html);
  if (charset) return html.slice(0, charset.index + charset[0].length) + tag + html.slice(charset.index + charset[0].length);
  const head = /<head[^>]*>/i.exec(html);
  if (!head) throw new Error('page has no <head> for its Content-Security-Policy');
  return html.slice(0, head.index + head[0].length) + tag + html.slice(head.index + head[0].length);
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}

/** The Astro integration: after the build, every page gets its policy. */
export function contentSecurityPolicyIntegration() {
  return {
    name: 'wirelab-csp',
    hooks: {
      'astro:build:done': ({ dir }: { dir: URL }) => {
        for (const file of htmlFiles(fileURLToPath(dir))) writeFileSync(file, withCsp(readFileSync(file, 'utf8')));
      },
    },
  };
}
