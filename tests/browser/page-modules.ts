/**
 * The JavaScript a built page loads: its module scripts, the modules its inline scripts import, and
 * every island's component, renderer and before-hydration module, followed through their static
 * and dynamic imports. Workers are not included (a page starts them with `new URL(...)`, not an
 * import). Read from the files, so it is exact and needs no browser.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const IMPORT = /(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["']([^"']+\.js)["']|import\(\s*["']([^"']+\.js)["']\s*\)/g;

/** Absolute paths of the modules the page at `htmlFile` (inside `dist`) loads. */
export function pageModules(dist: string, htmlFile: string): string[] {
  const html = readFileSync(htmlFile, 'utf8');
  const file = (url: string, from: string) => (url.startsWith('/') ? join(dist, url) : resolve(dirname(from), url));
  const roots = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) roots.add(file(m[1]!, htmlFile));
  for (const m of html.matchAll(/(?:component-url|renderer-url|before-hydration-url)="([^"]+\.js)"/g)) roots.add(file(m[1]!, htmlFile));
  for (const m of html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) for (const i of m[1]!.matchAll(IMPORT)) roots.add(file((i[1] ?? i[2])!, htmlFile));
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const i of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const url = (i[1] ?? i[2])!;
      if (url.startsWith('.') || url.startsWith('/')) stack.push(file(url, f));
    }
  }
  return [...seen].sort();
}
