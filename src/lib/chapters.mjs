// @ts-check
/**
 * The chapters and their numbers, from their file names alone: `content/docs/chapters/NN-slug.mdx`
 * is chapter NN (ordered by NN, then by name), served at `/chapters/slug/`. Plain JavaScript
 * because astro.config.mjs (the sidebar) reads it as well as src/content.config.ts (the page ids).
 * Files starting with `_` are drafts; a file without a number comes after the numbered ones.
 */
import { readdirSync } from 'node:fs';

export const CHAPTERS_DIR = new URL('../../content/docs/chapters/', import.meta.url);

/**
 * A docs entry's page id from its path inside content/docs/ ("chapters/01-two-protocols.mdx" ->
 * "chapters/two-protocols"): the number that orders a chapter is not part of its address.
 * @param {string} entry
 */
export function pageId(entry) {
  return entry
    .replace(/\.mdx?$/, '')
    .split('/')
    .map((segment) => segment.replace(/^\d+-/, '').toLowerCase())
    .join('/');
}

/** @param {string} file */
const numberOf = (file) => {
  const m = /^(\d+)-/.exec(file);
  return m ? Number(m[1]) : Infinity;
};

/**
 * Chapter file names (no folders) in reading order, each with its number (1, 2, 3...) and page id.
 * @param {string[]} files
 * @returns {{ file: string; id: string; number: number }[]}
 */
export function orderChapters(files) {
  return files
    .filter((f) => /^[^_].*\.mdx?$/.test(f))
    .sort((a, b) => numberOf(a) - numberOf(b) || a.localeCompare(b))
    .map((file, i) => ({ file, id: pageId(`chapters/${file}`), number: i + 1 }));
}

/**
 * The chapters in content/docs/chapters/, read from the disk (for astro.config.mjs and tests;
 * pages use the content collection: inside the built site this file is not where it was).
 * @param {URL} [dir]
 */
export function chapters(dir = CHAPTERS_DIR) {
  return orderChapters(readdirSync(dir));
}
