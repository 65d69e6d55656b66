/**
 * The source article's sections (../shared/seed/, beside the repository) and the chapters that
 * test them (src/components/widgets/lib/seedCoverage.ts, which the home page lists). The list must
 * match the article's numbered sections; every chapter it names must exist and carry an experiment
 * (a widget and a claim check); a section is covered only through chapters that exist, so removing
 * a chapter uncovers its sections and fails here until the list says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_COVERAGE, SEED_PLANNED, SEED_SECTIONS } from '../../src/components/widgets/lib/seedCoverage.ts';
import { chapters } from '../../src/lib/chapters.mjs';

const ROOT = join(import.meta.dirname, '../..');
const ARTICLE = join(ROOT, '../shared/seed/websocket-vs-mqtt-article.txt');
const HAVE_ARTICLE = existsSync(ARTICLE);
if (!HAVE_ARTICLE) console.warn(`seed-coverage: ${ARTICLE} is missing (the seed article lives in ../shared/seed beside the repository); its sections are not checked.`);

/** "4. Communication Model Comparison" lines: the article's numbered section titles. */
function articleSections(text: string): string[] {
  return [...text.matchAll(/^(\d+)\. (.+)$/gm)].map((m, i) => {
    if (Number(m[1]) !== i + 1) throw new Error(`section ${m[1]} follows section ${i}`);
    return m[2]!.trim();
  });
}

/** Sections covered by chapters that exist, as "n: chapter, chapter". */
function coverage(existing: ReadonlySet<string>): { covered: string[]; uncovered: number[] } {
  const covered: string[] = [];
  const uncovered: number[] = [];
  SEED_SECTIONS.forEach((_, i) => {
    const by = (SEED_COVERAGE[i + 1] ?? []).filter((c) => existing.has(c.chapter)).map((c) => c.chapter.replace('chapters/', ''));
    if (by.length > 0) covered.push(`${i + 1}: ${by.join(', ')}`);
    else uncovered.push(i + 1);
  });
  return { covered, uncovered };
}

describe('the seed article and the chapters that test it', () => {
  const list = chapters();
  const existing = new Set(list.map((c) => c.id));

  it.skipIf(!HAVE_ARTICLE)('names the article\'s 19 sections, in its order and words', () => {
    expect(articleSections(readFileSync(ARTICLE, 'utf8'))).toEqual([...SEED_SECTIONS]);
  });

  it('names only chapters that exist, each with a widget and a claim check on its page', () => {
    const problems: string[] = [];
    for (const [n, covers] of Object.entries(SEED_COVERAGE)) {
      if (!(Number(n) >= 1 && Number(n) <= SEED_SECTIONS.length)) problems.push(`section ${n} is not in the article`);
      for (const c of covers) {
        const chapter = list.find((x) => x.id === c.chapter);
        if (!chapter) {
          problems.push(`section ${n} names ${c.chapter}, which is not a chapter`);
          continue;
        }
        const text = readFileSync(join(ROOT, 'content/docs/chapters', chapter.file), 'utf8');
        if (!/<\w+Widget client:visible/.test(text)) problems.push(`${c.chapter} has no widget`);
        if (!/<ClaimCheck /.test(text)) problems.push(`${c.chapter} has no claim check`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists what is covered and by which chapters, and what is not yet', () => {
    // Sections 11-13 and 17-19 have no chapter with an experiment yet; 6 is tested by chapters 4,
    // 5 and 6 (offline handling, its last part, by chapter 6); 14 by chapter 6; 15 by chapter 9
    // (bandwidth per device and day); 8 by chapters 8, 10 and 11, 9 by chapters 10 and 11.
    expect(coverage(existing)).toEqual({
      covered: [
        '1: two-protocols',
        '2: opening-a-connection, every-byte-counts, staying-alive',
        '3: two-protocols, every-byte-counts, staying-alive, offline-clients',
        '4: two-protocols, communication-at-scale',
        '5: opening-a-connection, every-byte-counts',
        '6: what-loss-does, delivery-guarantees, offline-clients',
        '7: every-byte-counts, opening-a-connection, two-protocols, what-loss-does, constrained-links',
        '8: communication-at-scale, one-server-many-clients, many-servers-one-failing',
        '9: one-server-many-clients, many-servers-one-failing',
        '10: opening-a-connection',
        '14: offline-clients',
        '15: constrained-links',
        '16: staying-alive',
      ],
      uncovered: [11, 12, 13, 17, 18, 19],
    });
    // A planned chapter adds nothing until it is listed in SEED_COVERAGE; none is planned now.
    expect(Object.values(SEED_PLANNED)).toEqual([]);
  });

  it('uncovers a chapter\'s sections when the chapter is removed', () => {
    const without = new Set([...existing].filter((id) => id !== 'chapters/two-protocols'));
    // Section 1 was covered by chapter 1 alone; sections 3, 4 and 7 keep their other chapters.
    expect(coverage(without).uncovered).toEqual([1, 11, 12, 13, 17, 18, 19]);
    // Section 16 (limitations) is tested by chapter 7 alone.
    expect(coverage(new Set([...existing].filter((id) => id !== 'chapters/staying-alive'))).uncovered).toContain(16);
    // Section 8 is chapters 8, 10 and 11's; 9 is chapters 10 and 11's.
    expect(coverage(new Set([...existing].filter((id) => id !== 'chapters/communication-at-scale'))).uncovered).toEqual([11, 12, 13, 17, 18, 19]);
    const noScale = new Set([...existing].filter((id) => id !== 'chapters/communication-at-scale' && id !== 'chapters/one-server-many-clients'));
    expect(coverage(noScale).uncovered).toEqual([11, 12, 13, 17, 18, 19]);
    const noScaleAtAll = new Set([...noScale].filter((id) => id !== 'chapters/many-servers-one-failing'));
    expect(coverage(noScaleAtAll).uncovered).toEqual([8, 9, 11, 12, 13, 17, 18, 19]);
    // And section 6, tested by chapters 4, 5 and 6, is uncovered without all three.
    const noLoss = new Set([...existing].filter((id) => id !== 'chapters/what-loss-does' && id !== 'chapters/delivery-guarantees' && id !== 'chapters/offline-clients'));
    expect(coverage(noLoss).uncovered).toContain(6);
    expect(coverage(new Set([...existing].filter((id) => id !== 'chapters/what-loss-does'))).uncovered).not.toContain(6);
  });
});
