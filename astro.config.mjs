// @ts-check
import { defineConfig } from 'astro/config';
import svelte from '@astrojs/svelte';

export default defineConfig({
  site: 'https://wirelab.example',
  integrations: [svelte()],
  vite: {
    // Vite refuses IIFE workers once the worker code-splits; the simulator worker is a module.
    worker: { format: 'es' },
  },
});
