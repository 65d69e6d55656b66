/**
 * The one module chapters import widgets from (docs/ARCHITECTURE.md, "Adding a chapter"). Each
 * widget is a Svelte 5 component that hydrates when visible (`<X client:visible />` in MDX).
 * Add one line per widget: `export { default as Name } from './Name.svelte';`
 */
// The chapters' widgets.
export { default as TwoWaysWidget } from './TwoWaysWidget.svelte';
export { default as HandshakeWidget } from './HandshakeWidget.svelte';
export { default as OverheadWidget } from './OverheadWidget.svelte';
export { default as LossWidget } from './LossWidget.svelte';
export { default as LossGoodput } from './LossGoodput.svelte';
export { default as GuaranteesWidget } from './GuaranteesWidget.svelte';
export { default as OfflineWidget } from './OfflineWidget.svelte';
export { default as AliveWidget } from './AliveWidget.svelte';
export { default as ConstrainedWidget } from './ConstrainedWidget.svelte';
export { default as ServerLoadWidget } from './ServerLoadWidget.svelte';
export { default as ShareWidget } from './ShareWidget.svelte';
export { default as FanoutWidget } from './FanoutWidget.svelte';
export { default as TopicWidget } from './TopicWidget.svelte';
export { default as StormWidget } from './StormWidget.svelte';
// Computed at build time, in the HTML (no client: directive).
export { default as UnderstandingCheck } from './UnderstandingCheck.astro';
export { default as Measure } from './Measure.astro';
export { default as Testbed } from './Testbed.astro';
export { default as LearningGoals } from './LearningGoals.astro';
export { default as TryThis } from './TryThis.astro';
export { default as ClaimCheck } from './ClaimCheck.astro';
export { default as ScenarioLibrary } from './ScenarioLibrary.astro';
