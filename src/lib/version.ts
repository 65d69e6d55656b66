/** The app's version (package.json), written into every export so a file says which build made it. */
import pkg from '../../package.json' with { type: 'json' };

export const APP_VERSION: string = pkg.version;
export const APP_NAME = 'wirelab';
