/**
 * The shared controls every widget uses (docs/ARCHITECTURE.md, "The site"), so sliders, seeds,
 * playback, export, sharing and errors look and behave the same everywhere.
 */
export { default as Slider } from './Slider.svelte';
export { default as Toggle } from './Toggle.svelte';
export { default as OutageButton } from './OutageButton.svelte';
export { default as NetworkControls } from './NetworkControls.svelte';
export { default as SeedField } from './SeedField.svelte';
export { default as PlaybackControls } from './PlaybackControls.svelte';
export { default as ExportButtons } from './ExportButtons.svelte';
export { default as PermalinkButton } from './PermalinkButton.svelte';
export { default as PermalinkNotice } from './PermalinkNotice.svelte';
export { default as ErrorBox } from './ErrorBox.svelte';
export { default as RunStatus } from './RunStatus.svelte';
export { PlaybackClock, SPEEDS, reducedMotion } from './playback.svelte.ts';
