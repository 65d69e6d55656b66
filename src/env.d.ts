/// <reference types="astro/client" />

// Plain `tsc` cannot read .astro files (only Astro's own checker can): it sees them as components
// taking props, which is all a TypeScript module importing one needs to know.
declare module '*.astro' {
  const Component: (props: Record<string, unknown>) => unknown;
  export default Component;
}

// The build's server-only helpers for widgets (null in the browser): src/lib/buildTimePlugin.mjs.
declare module 'virtual:wirelab/server' {
  export const serverSide: typeof import('./components/widgets/lib/server.ts').serverSide | null;
}
