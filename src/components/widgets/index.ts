/**
 * The one module chapters import widgets from (docs/ARCHITECTURE.md, "The site"). Each widget is a
 * Svelte 5 component that hydrates when visible (`<X client:visible />` in MDX).
 * Add one line per widget: `export { default as Name } from './Name.svelte';`
 */
// Chapters 1-3 (the chapter author's widgets).
export { default as TwoWaysWidget } from './TwoWaysWidget.svelte';
export { default as HandshakeWidget } from './HandshakeWidget.svelte';
export { default as OverheadWidget } from './OverheadWidget.svelte';
export { default as UnderstandingCheck } from './UnderstandingCheck.svelte';
export { default as Measure } from './Measure.svelte';
export { default as LearningGoals } from './LearningGoals.astro';
export { default as TryThis } from './TryThis.astro';
export { default as ClaimCheck } from './ClaimCheck.astro';
