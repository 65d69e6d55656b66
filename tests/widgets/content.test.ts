/**
 * What the chapters ask of the code, checked without building the site: every
 * `<Measure of="...">` names a figure a course module computes, every `<UnderstandingCheck of>`
 * a module with questions, every widget a chapter imports is in the barrel, and chapters are
 * numbered by their file names. A typo fails `npm test`, never renders on a page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chapters, orderChapters, pageId } from '../../src/lib/chapters.mjs';
import { COURSE, courseFigures } from '../../src/worker/course/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const DOCS = join(ROOT, 'content/docs');

function mdxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? mdxFiles(join(dir, d.name)) : /\.mdx?$/.test(d.name) ? [join(dir, d.name)] : []));
}

/** Every `<Tag ...>` opening tag in the text, with its attribute text. */
function tags(text: string, tag: string): string[] {
  return [...text.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) => m[1]!);
}

const files = mdxFiles(DOCS);
/** The names the widgets barrel exports (read as text: its .svelte and .astro files need a bundler). */
const barrel = new Set([...readFileSync(join(ROOT, 'src/components/widgets/index.ts'), 'utf8').matchAll(/^export \{ default as (\w+) \}/gm)].map((m) => m[1]!));
const figures = courseFigures();

describe('the chapters and the code agree', () => {
  it('finds the chapters', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it('names only figures the course modules compute, as a literal of="module.figure"', () => {
    const problems: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const attrs of tags(readFileSync(file, 'utf8'), 'Measure')) {
        count++;
        const of = /\bof="([^"]*)"/.exec(attrs)?.[1];
        if (of === undefined) problems.push(`${file}: <Measure${attrs}> has no literal of="..."`);
        else if (!(of in figures)) problems.push(`${file}: <Measure of="${of}"> is not a figure (known: ${Object.keys(figures).join(', ')})`);
        if (/client:/.test(attrs)) problems.push(`${file}: <Measure of="${of}"> is computed at build time and takes no client: directive`);
      }
    }
    expect(problems).toEqual([]);
    // 4 in chapter 1, 9 in chapter 2, 7 in chapter 3 (counted in the MDX files)
    expect(count).toBeGreaterThanOrEqual(20);
  });

  it('asks for the questions of modules that have them', () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const attrs of tags(readFileSync(file, 'utf8'), 'UnderstandingCheck')) {
        const of = /\bof="([^"]*)"/.exec(attrs)?.[1];
        const module = of !== undefined && Object.hasOwn(COURSE, of) ? (COURSE as unknown as Record<string, { checks?: unknown }>)[of] : undefined;
        if (!module?.checks) problems.push(`${file}: <UnderstandingCheck${attrs}> does not name a course module with checks()`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('imports widgets only from the barrel, and only names it exports', () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^import \{([^}]*)\} from '([^']+)';$/gm)) {
        if (!m[2]!.endsWith('src/components/widgets/index.ts')) problems.push(`${file}: imports from ${m[2]} (use the widgets barrel)`);
        for (const name of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) if (!barrel.has(name)) problems.push(`${file}: ${name} is not in the barrel`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('numbers chapters by their file names, and keeps the number out of the address', () => {
    const list = chapters();
    expect(list.slice(0, 3).map((c) => [c.number, c.id])).toEqual([
      [1, 'chapters/two-protocols'],
      [2, 'chapters/opening-a-connection'],
      [3, 'chapters/every-byte-counts'],
    ]);
    expect(list.map((c) => c.number)).toEqual(list.map((_, i) => i + 1));
    expect(orderChapters(['10-b.mdx', '2-a.mdx', '_draft.mdx', 'z.md']).map((c) => c.id)).toEqual(['chapters/a', 'chapters/b', 'chapters/z']);
    expect(pageId('chapters/12-retained-messages.mdx')).toBe('chapters/retained-messages');
  });
});
