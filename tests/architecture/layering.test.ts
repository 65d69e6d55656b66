/**
 * The layering rules of docs/ARCHITECTURE.md ("Layers and the way dependencies point"), checked
 * on every import of the project's source (./imports.ts reads them with the TypeScript parser),
 * so they hold without anyone remembering them. A failure names the file, the line and the rule.
 * When a rule has to change, change it here and in ARCHITECTURE together.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { importsOf, sourceFiles, type ImportEdge } from './imports.ts';

const root = new URL('../../', import.meta.url).pathname;
const edges = sourceFiles(root, ['simulator', 'src', 'content']).flatMap((f) => importsOf(root, f));
const under = (path: string, ...dirs: string[]) => dirs.some((d) => path === d || path.startsWith(`${d}/`));
const show = (e: ImportEdge) => `${e.from}:${e.line} imports ${e.to}${e.typeOnly ? ' (types)' : ''}`;
/** The imports of files under `dirs` that break `allowed`. */
const breaking = (dirs: string[], allowed: (e: ImportEdge) => boolean) => edges.filter((e) => under(e.from, ...dirs) && !allowed(e)).map(show);

// d3-dsv is only a CSV reader and writer (no DOM): the CLI writes its CSV with it.
const SITE_PACKAGES = /^(svelte|d3|d3-(?!dsv$).*|comlink|astro|astro:.*|@astrojs\/.*|linkedom|playwright-core)$/;

describe('layering (docs/ARCHITECTURE.md)', () => {
  it('reads the imports it checks', () => {
    // A parser that found nothing would pass every rule below.
    expect(edges.filter((e) => e.from === 'simulator/runtime/run.ts' && e.to === 'simulator/core/scheduler.ts')).toHaveLength(1);
    expect(edges.filter((e) => e.from.startsWith('simulator/protocols/')).length).toBeGreaterThan(50);
  });

  it('simulator/ never imports src/, content/ or site libraries (DOM, Svelte, d3, comlink, Astro)', () => {
    expect(breaking(['simulator'], (e) => (e.local ? !under(e.to, 'src', 'content') : !SITE_PACKAGES.test(e.to)))).toEqual([]);
  });

  it('protocol engines are sans-IO: they import only simulator/core, other engines and codec libraries, never node:*', () => {
    const libraries = new Set(['mqtt-packet', 'buffer', 'pako', '@noble/hashes']);
    expect(breaking(['simulator/protocols'], (e) => (e.local ? under(e.to, 'simulator/core', 'simulator/protocols') : libraries.has(e.to)))).toEqual([]);
  });

  it('protocol engines never read a clock, set a timer or call Math.random', () => {
    const banned = new Set(['Math.random', 'Date.now', 'performance.now', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);
    const found: string[] = [];
    for (const file of sourceFiles(root, ['simulator/protocols'])) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isCallExpression(node) && banned.has(node.expression.getText(source))) found.push(`${file.slice(root.length)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} calls ${node.expression.getText(source)}`);
        if (ts.isNewExpression(node) && node.expression.getText(source) === 'Date') found.push(`${file.slice(root.length)}: new Date`);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(found).toEqual([]);
  });

  it('mqtt-packet is imported only inside simulator/protocols/mqtt/', () => {
    expect(edges.filter((e) => e.to === 'mqtt-packet' && !under(e.from, 'simulator/protocols/mqtt')).map(show)).toEqual([]);
  });

  it('simulator/core depends on no other layer; net only on core; metrics (pure reducers) only on core', () => {
    expect(breaking(['simulator/core'], (e) => !e.local || under(e.to, 'simulator/core'))).toEqual([]);
    expect(breaking(['simulator/net'], (e) => !e.local || under(e.to, 'simulator/core', 'simulator/net'))).toEqual([]);
    expect(breaking(['simulator/metrics'], (e) => !e.local || under(e.to, 'simulator/core', 'simulator/metrics'))).toEqual([]);
  });

  it('the runtime never imports the CLI, the socket adapters or metrics; scenario types only', () => {
    expect(
      breaking(['simulator/runtime'], (e) => !e.local || (!under(e.to, 'simulator/cli', 'simulator/adapters', 'simulator/metrics') && (e.typeOnly || !under(e.to, 'simulator/scenarios')))),
    ).toEqual([]);
    expect(breaking(['simulator/runtime'], (e) => e.local || !e.to.startsWith('node:'))).toEqual([]);
  });

  it('the scenario schema depends on no IO layer (runtime, CLI, adapters)', () => {
    expect(breaking(['simulator/scenarios'], (e) => !e.local || !under(e.to, 'simulator/runtime', 'simulator/cli', 'simulator/adapters'))).toEqual([]);
  });

  it('the socket adapters (node:net) are used by the CLI only (and tests), never by the site or other layers', () => {
    expect(edges.filter((e) => e.local && under(e.to, 'simulator/adapters') && !under(e.from, 'simulator/adapters', 'simulator/cli')).map(show)).toEqual([]);
  });

  /**
   * Only the worker imports the simulator for more than types: the page holds snapshots. These
   * files still do (issue 10, "The main thread carries no simulator code", removes them): when
   * one goes, delete its line here. Nothing may join them.
   */
  const PAGE_IMPORTS_STILL_TO_MOVE = ['src/components/lab/Lab.svelte -> simulator/scenarios/schema.ts', 'src/lib/export.ts -> simulator/scenarios/schema.ts', 'src/lib/permalink.ts -> simulator/scenarios/schema.ts'];

  it('outside src/worker/ the site imports the simulator for types only', () => {
    const found = edges.filter((e) => under(e.from, 'src', 'content') && !under(e.from, 'src/worker') && e.local && under(e.to, 'simulator') && !e.typeOnly).map((e) => `${e.from} -> ${e.to}.ts`.replace(/\.ts\.ts$/, '.ts'));
    const allowed = new Set(PAGE_IMPORTS_STILL_TO_MOVE);
    expect([...new Set(found)].filter((f) => !allowed.has(f)).sort(), 'a page file imports simulator code: move it behind the worker (src/worker)').toEqual([]);
  });
});
