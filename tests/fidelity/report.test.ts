/** fidelity/report.ts: the results written between the page's markers. */
import { describe, expect, it } from 'vitest';
import { BEGIN, END, replaceBetween } from '../../fidelity/report.ts';

describe('replaceBetween', () => {
  it('replaces only what lies between the markers, and refuses a page without them', () => {
    const page = `intro\n\n${BEGIN}\n\nold table\n\n${END}\n\nafter`;
    expect(replaceBetween(page, 'new')).toBe(`intro\n\n${BEGIN}\n\nnew\n\n${END}\n\nafter`);
    expect(() => replaceBetween('no markers', 'x')).toThrow(/no fidelity:begin\/fidelity:end markers/);
  });
});
