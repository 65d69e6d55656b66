/**
 * The import graph of the project's own source, read with the TypeScript parser: for every
 * .ts/.svelte/.astro file under the given folders, what it imports (resolved to a project path,
 * or the package name) and whether the import is for types only (`import type`, or every name
 * marked `type`), which the bundler erases.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** The importing file, relative to the project root, with forward slashes. */
  from: string;
  /** A project path (resolved, relative to the root) or a package name (`mqtt-packet`, `node:net`). */
  to: string;
  /** True when the specifier was relative (a project file). */
  local: boolean;
  typeOnly: boolean;
  line: number;
}

const EXTENSIONS = ['.ts', '.svelte', '.astro', '.mjs', '.js'];

export function sourceFiles(root: string, folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (EXTENSIONS.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const f of folders) walk(join(root, f));
  return out;
}

/** The script part of a component (Svelte <script> blocks, Astro frontmatter), or the file. */
function scriptOf(path: string, text: string): string {
  if (path.endsWith('.svelte')) return [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  if (path.endsWith('.astro')) return /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
  return text;
}

/** Package name of a bare specifier: `d3-dsv` of `d3-dsv`, `@noble/hashes` of `@noble/hashes/sha2.js`. */
function packageName(spec: string): string {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export function importsOf(root: string, path: string): ImportEdge[] {
  const source = ts.createSourceFile(path, scriptOf(path, readFileSync(path, 'utf8')), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const from = relative(root, path).split('\\').join('/');
  const out: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean, node: ts.Node) => {
    const local = spec.startsWith('.');
    const to = local ? relative(root, normalize(join(dirname(path), spec))).split('\\').join('/') : packageName(spec);
    out.push({ from, to, local, typeOnly, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, allTypes, node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}
