/**
 * The course's content collections. Chapters are MDX files in the top-level `content/docs/`
 * folder (not Starlight's default `src/content/docs/`), so authors find them next to the code.
 * Files whose names start with `_` are ignored (drafts, partials), as in Starlight's own loader.
 * A chapter's number prefix orders it but is not part of its address: `chapters/01-two-protocols.mdx`
 * is served at `/chapters/two-protocols/` (src/lib/chapters.mjs).
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { pageId } from './lib/chapters.mjs';

export const collections = {
  docs: defineCollection({
    loader: glob({ base: './content/docs', pattern: '**/[^_]*.{md,mdx}', generateId: ({ entry, data }) => (typeof data.slug === 'string' ? data.slug : pageId(entry)) }),
    schema: docsSchema(),
  }),
  // Starlight reads its UI strings from here; en.json overrides none, but the collection must
  // exist or every build warns that it is missing.
  i18n: defineCollection({
    loader: glob({ base: './content/i18n', pattern: '[^_]*.json' }),
    schema: i18nSchema(),
  }),
};
