// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import svelte from '@astrojs/svelte';

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
        { label: 'Chapters', items: [{ autogenerate: { directory: 'chapters' } }] },
        { label: 'Lab', link: '/lab/' },
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
