/** The app's version (package.json), written into every export so a file says which build made it. */
// A named import: the bundler then ships the one field, not the whole package.json, to the page.
import { version } from '../../package.json' with { type: 'json' };

export const APP_VERSION: string = version;
export const APP_NAME = 'wirelab';
