import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, inlineBlocks, withCsp } from '../../src/lib/csp.ts';

const page = '<!DOCTYPE html><html><head><meta charset="utf-8"/><script>var a=1;</script>' +
  '<script type="module" src="/_astro/x.js"></script><script type="application/ld+json">{}</script>' +
  '<style>p{color:red}</style></head><body><script>var a=1;</script><script type="module">import "/y.js";</script></body></html>';

/** The hash a browser computes over an inline block's exact text (CSP Level 3, "hash-source"). */
const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('the built pages\' Content-Security-Policy', () => {
  it('finds the inline scripts a page runs (not src scripts, not JSON data) and its <style> blocks', () => {
    expect(inlineBlocks(page)).toEqual({ scripts: ['var a=1;', 'var a=1;', 'import "/y.js";'], styles: ['p{color:red}'] });
  });

  it('allows our origin and the hash of each distinct inline script; never unsafe-inline or eval for scripts', () => {
    // sha256("var a=1;") in base64, as `printf 'var a=1;' | openssl dgst -sha256 -binary | base64` gives it.
    expect(hash('var a=1;')).toBe("'sha256-gaaMFNHZyRta8zB2VHkWLMP4tMxJ+d8v3dTW7nw2r6M='");
    expect(contentSecurityPolicy(page).split('; ')).toEqual([
      "default-src 'self'",
      `script-src 'self' 'wasm-unsafe-eval' ${hash('var a=1;')} ${hash('import "/y.js";')}`,
      `style-src-elem 'self' ${hash('p{color:red}')}`,
      "style-src-attr 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      "connect-src 'self'",
      "worker-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ]);
  });

  it('puts the policy right after <meta charset>, before any script, and refuses a page that has one', () => {
    const out = withCsp(page);
    expect(out.indexOf('<meta http-equiv="Content-Security-Policy"')).toBe(page.indexOf('<meta charset="utf-8"/>') + '<meta charset="utf-8"/>'.length);
    expect(() => withCsp(out)).toThrow('page already has a Content-Security-Policy');
    expect(() => withCsp('<html><body></body></html>')).toThrow('page has no <head>');
  });
});
