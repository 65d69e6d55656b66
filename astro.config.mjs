// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import svelte from '@astrojs/svelte';
import { buildTimeModules } from './src/lib/buildTimePlugin.mjs';
import { quietDebugInWorker } from './src/lib/quietDebugPlugin.mjs';
import { chapters } from './src/lib/chapters.mjs';
import { contentSecurityPolicyIntegration, ZOD_JITLESS } from './src/lib/csp.ts';

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
        // Starlight's `autogenerate` only reads src/content/docs/: the chapters, numbered by their
        // file names (src/lib/chapters.mjs), are listed here.
        { label: 'Chapters', items: chapters().map((c) => c.id) },
        { label: 'Lab', link: '/lab/' },
        { label: 'How we know', link: '/how-we-know/' },
        { label: 'Scenario library', link: '/scenarios/' },
      ],
      customCss: ['./src/styles/site.css'],
      favicon: '/favicon.svg',
      // Pagefind full-text search is on by default; keep it explicit.
      pagefind: true,
      lastUpdated: false,
      // zod without `new Function`, set before any module runs (src/lib/csp.ts says why).
      head: [{ tag: 'script', content: ZOD_JITLESS }],
    }),
    svelte(),
    // Last: a Content-Security-Policy meta tag on every built page (src/lib/csp.ts).
    contentSecurityPolicyIntegration(),
  ],
  vite: {
    // Widgets' first answers and charts are computed in the build's server render (not in the page).
    plugins: [buildTimeModules()],
    // Vite refuses IIFE workers once the worker code-splits; the simulator worker is a module.
    // mqtt-packet's debug calls cost nothing there (src/lib/quietDebugPlugin.mjs).
    worker: { format: 'es', plugins: () => [quietDebugInWorker()] },
    build: {
      rollupOptions: {
        // Astro marks MDX pages with a "use astro:head-inject" directive that the bundler notes it
        // drops; Astro puts it there on purpose, so this note is noise. Every other warning is shown.
        onwarn(warning, warn) {
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('astro:head-inject')) return;
          warn(warning);
        },
      },
    },
  },
});
