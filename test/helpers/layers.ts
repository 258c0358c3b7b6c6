// The floors of DESIGN's Layout, checked over the import statements: a file imports only from its
// own floor or the ones below, and no two files import each other through a circle.
// TypeScript's own preProcessFile reads the imports (static, dynamic and type-only), so no
// regex has to understand comments or strings.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Bottom to top; a file may import its own floor's files and those of the floors below. */
const FLOORS: readonly (readonly string[])[] = [['backends'], ['properties', 'benchmarks'], ['reports'], ['scripts']];
/** Same-floor imports that are forbidden or narrowed: benchmarks may use only properties' arbitraries. */
const SAME_FLOOR: Record<string, (target: string) => boolean> = {
  properties: (target) => !target.startsWith('benchmarks/'),
  benchmarks: (target) => !target.startsWith('properties/') || target.startsWith('properties/arbitraries/'),
};

export interface Violation {
  from: string;
  to: string;
  why: string;
}

function floorOf(file: string): { folder: string; level: number } | undefined {
  const folder = file.split('/')[0] ?? '';
  const level = FLOORS.findIndex((names) => names.includes(folder));
  return level < 0 ? undefined : { folder, level };
}

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory())
      return entry.name === 'latest' || entry.name === 'node_modules' ? [] : sourceFiles(root, path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import of every source file of the floors, as root-relative paths (.js → .ts). */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of FLOORS.flat().flatMap((dir) => sourceFiles(root, dir))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = importedFiles
      .map((ref) => ref.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) =>
        relative(root, resolve(root, dirname(file), name))
          .split(sep)
          .join('/')
          .replace(/\.js$/, '.ts'),
      );
    graph.set(file, targets);
  }
  return graph;
}

function floorViolations(graph: Map<string, string[]>): Violation[] {
  const out: Violation[] = [];
  for (const [from, targets] of graph) {
    const source = floorOf(from);
    for (const to of targets) {
      const target = floorOf(to);
      if (source === undefined) continue;
      if (target === undefined) out.push({ from, to, why: 'imports from outside the floors' });
      else if (target.level > source.level)
        out.push({ from, to, why: `${source.folder} imports from ${target.folder}, a floor above` });
      else if (
        target.level === source.level &&
        target.folder !== source.folder &&
        !(SAME_FLOOR[source.folder]?.(to) ?? true)
      )
        out.push({ from, to, why: `${source.folder} may not import this part of ${target.folder}` });
    }
  }
  return out;
}

/** Each import circle once, found by Tarjan's strongly connected components. */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** A property shares helpers through the engine, never through another property's file. */
function propertyCrossImports(graph: Map<string, string[]>): Violation[] {
  const isProperty = (file: string): boolean =>
    file.startsWith('properties/invariants/') && !file.endsWith('/index.ts');
  return [...graph].flatMap(([from, targets]) =>
    isProperty(from)
      ? targets.filter(isProperty).map((to) => ({ from, to, why: 'a property imports another property' }))
      : [],
  );
}

/** What breaks the Layout under `root`: imports from a floor above, properties importing each other, import circles. */
export function layoutViolations(root: string): Violation[] {
  const graph = importGraph(root);
  const loops = circles(graph).map((files) => ({
    from: files[0]!,
    to: files.slice(1).join(', '),
    why: 'import circle',
  }));
  return [...floorViolations(graph), ...propertyCrossImports(graph), ...loops];
}
