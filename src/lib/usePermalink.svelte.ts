/**
 * One permalink helper for every widget: call it while the component initialises, with the
 * widget's id (its root element's id and its query parameter) and the schema of its params,
 * written with `zod/mini` (`import * as z from 'zod/mini'`): classic zod would put ~27 KB gzip on the page.
 *
 *   const link = usePermalink('every-byte', paramsSchema);
 *   void link.restoreInto(model);   // the link's params onto the state class's fields of the same names
 *   {#if link.error}<PermalinkNotice message={link.error} ondismiss={() => link.dismiss()} />{/if}
 *   <PermalinkButton widgetId={link.id} getState={() => ({ seed, t, params })} />
 *
 * The link is read once, when the widget mounts (never during the build's server render). A bad
 * link leaves `restored` at null and `error` naming what is wrong (shown as text).
 */
import { onMount } from 'svelte';
import { assignKnown, readPermalink, type ParamsSchema, type PermalinkState, type ScenarioCheck } from './permalink.ts';

export class Permalink<P> {
  readonly id: string;
  /** Resolves once the link is read: its state, or null (no state for this widget, or a bad one). */
  readonly restored: Promise<PermalinkState<P> | null>;
  #error = $state<string | null>(null);

  constructor(id: string, read: () => Promise<PermalinkState<P> | null | { error: string }>) {
    this.id = id;
    this.restored = read().then((found) => {
      if (found && 'error' in found) {
        this.#error = found.error;
        return null;
      }
      return found;
    });
  }

  /** Why the link's state could not be used, or null. */
  get error(): string | null {
    return this.#error;
  }

  dismiss(): void {
    this.#error = null;
  }

  /**
   * Once the link is read, puts its state into `target` (the widget's state class): each param
   * for which `target` has a field of the same name (`adapt` first renames or converts those that
   * differ), and the link's seed with `seed: true`. Resolves with the state, or null.
   *
   *   void link.restoreInto(model, { seed: true });
   *   void link.restoreInto(model, { adapt: (p) => ({ ...p, rateKbps: p.rate ?? NO_LIMIT }) });
   *   void link.restoreInto(model, { adapt: (p, { seed }) => ({ input: { ...p, seed } }) });  // a seed kept inside another field
   */
  async restoreInto(
    target: object,
    options: { adapt?: (params: P, state: PermalinkState<P>) => Readonly<Record<string, unknown>>; seed?: boolean } = {},
  ): Promise<PermalinkState<P> | null> {
    const state = await this.restored;
    if (!state) return null;
    if (state.params !== undefined) assignKnown(target, options.adapt ? options.adapt(state.params, state) : (state.params as Readonly<Record<string, unknown>>));
    if (options.seed) assignKnown(target, { seed: state.seed });
    return state;
  }
}

export function usePermalink<P>(id: string, params: ParamsSchema<P> | null, options: { scenario?: ScenarioCheck } = {}): Permalink<P> {
  let mounted!: () => void;
  const onMounted = new Promise<void>((resolve) => (mounted = resolve));
  onMount(() => mounted());
  return new Permalink<P>(id, async () => {
    await onMounted;
    const found = await readPermalink<P>(id, location.search, { params, ...options });
    if (!found) return null;
    return found.ok ? found.state : { error: found.error };
  });
}

/**
 * A permalink of a widget whose settings are one input object with its seed: the seed apart, the
 * other settings (plus `extra`, view state such as the tab shown) as params, at time 0.
 *
 *   <PermalinkButton widgetId={link.id} getState={() => inputLinkState(model.input, { side: model.side })} />
 */
export function inputLinkState<I extends { seed: number }>(input: I, extra: object = {}): PermalinkState<object> {
  const { seed, ...params } = $state.snapshot(input) as I;
  return { seed, t: 0, params: { ...params, ...extra } };
}
