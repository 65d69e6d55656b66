// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import svelte from '@astrojs/svelte';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The chapters in sidebar order. Starlight's `autogenerate` only looks in src/content/docs/, and
 * our chapters live in the top-level content/docs/chapters/, so the list is built here: every
 * .md/.mdx file not starting with `_`, ordered by its frontmatter `sidebar.order`, then by name.
 */
function chapterSlugs() {
  const dir = new URL('./content/docs/chapters/', import.meta.url);
  const files = readdirSync(dir).filter((f) => /^[^_].*\.mdx?$/.test(f));
  /** @param {string} file */
  const order = (file) => {
    const frontmatter = /^---\n([\s\S]*?)\n---/.exec(readFileSync(new URL(file, dir), 'utf8'))?.[1] ?? '';
    const n = /^\s+order:\s*(-?\d+(?:\.\d+)?)\s*$/m.exec(frontmatter)?.[1];
    return n === undefined ? Infinity : Number(n);
  };
  return files
    .map((file) => ({ slug: `chapters/${file.replace(/\.mdx?$/, '')}`, order: order(file) }))
    .sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug))
    .map((c) => c.slug);
}

export default defineConfig({
  site: 'https://wirelab.example',
  // Static output only: nothing is edited online, the built site works from any file server.
  output: 'static',
  integrations: [
    starlight({
      title: 'Wirelab',
      description: 'Learn how WebSocket and MQTT really behave, by experiment.',
      // Chapters live in the top-level content/docs/ folder (see src/content.config.ts).
      sidebar: [
        { label: 'Home', link: '/' },
        { label: 'Chapters', items: chapterSlugs() },
        { label: 'Lab', link: '/lab/' },
        { label: 'How we know', link: '/how-we-know/' },
      ],
      customCss: ['./src/styles/site.css'],
      favicon: '/favicon.svg',
      // Pagefind full-text search is on by default; keep it explicit.
      pagefind: true,
      lastUpdated: false,
    }),
    svelte(),
  ],
  vite: {
    // Vite refuses IIFE workers once the worker code-splits; the simulator worker is a module.
    worker: { format: 'es' },
  },
});
