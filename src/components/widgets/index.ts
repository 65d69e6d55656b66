/**
 * The one module chapters import widgets from (docs/ARCHITECTURE.md, "The site"). Each widget is a
 * Svelte 5 component that hydrates when visible (`<X client:visible />` in MDX).
 * Add one line per widget: `export { default as Name } from './Name.svelte';`
 */
export {};
