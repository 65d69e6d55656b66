/** The example scenarios in scenarios/examples/, offered by the Lab as starting points. */
const files = import.meta.glob<unknown>('../../../scenarios/examples/*.json', { eager: true, import: 'default' });

export interface Preset {
  /** File name without `.json` ("tcp-small"). */
  id: string;
  title: string;
  scenario: unknown;
}

export const PRESETS: Preset[] = Object.entries(files)
  .map(([path, scenario]) => {
    const id = path.replace(/^.*\//, '').replace(/\.json$/, '');
    const title = typeof (scenario as { title?: unknown }).title === 'string' ? (scenario as { title: string }).title : id;
    return { id, title, scenario };
  })
  .sort((a, b) => a.id.localeCompare(b.id));

/** The preset the Lab opens with: small and quick, so the first run is instant. */
export const DEFAULT_PRESET_ID = 'tcp-small';
