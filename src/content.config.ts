/**
 * The course's content collections. Chapters are MDX files in the top-level `content/docs/`
 * folder (not Starlight's default `src/content/docs/`), so authors find them next to the code.
 * Files whose names start with `_` are ignored (drafts, partials), as in Starlight's own loader.
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';

export const collections = {
  docs: defineCollection({
    loader: glob({ base: './content/docs', pattern: '**/[^_]*.{md,mdx}' }),
    schema: docsSchema(),
  }),
};
