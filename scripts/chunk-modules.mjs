#!/usr/bin/env node
// Which source modules each chunk of the rollup build holds, read from the build's source maps
// (dist/**/*.js.map: a module appears in a chunk's map when its code was rendered into it), and how
// the chunks import each other: an entry's static graph is the code a page downloads, parses and
// evaluates before `loadModel` can send the registry request (issue 15); its dynamic imports load
// after. `node scripts/chunk-modules.mjs [entry …]` prints both for dist/ferryml.js and
// dist/lite.js (or the entries named), after `npm run build`. scripts/size.mjs walks the same graph.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `import … from './x.js'` and `export … from './x.js'` in a built chunk (packages, which are external, do not match). */
export const staticImport = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[^'"]*?from\s*)?['"](\.[^'"]+)['"]/g;
/** `import('./x.js')` in a built chunk. */
export const dynamicImport = /import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** The chunks `file` imports, statically and with `import()`, as absolute paths. */
export function importsOf(file) {
  const code = readFileSync(file, 'utf8');
  const at = (rel) => resolve(dirname(file), rel);
  return {
    static: [...new Set([...code.matchAll(staticImport)].map(([, rel]) => at(rel)))],
    dynamic: [...new Set([...code.matchAll(dynamicImport)].map(([, rel]) => at(rel)))],
  };
}

/**
 * `entry` and every chunk it reaches through static imports: what a page loads before the entry
 * runs; with `dynamic`, through `import()` too: everything the entry can ever load.
 */
export function staticGraph(entry, { dynamic = false } = {}) {
  const seen = new Set();
  const stack = [resolve(entry)];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const imports = importsOf(file);
    stack.push(...imports.static, ...(dynamic ? imports.dynamic : []));
  }
  return [...seen];
}

/** The chunks a static graph (see {@link staticGraph}) loads with `import()`, outside that graph. */
export function dynamicTargets(graph) {
  const inGraph = new Set(graph);
  return [...new Set(graph.flatMap((file) => importsOf(file).dynamic))].filter((file) => !inGraph.has(file));
}

/** The source modules rendered into a built chunk, as paths from the repository root (`src/schema/compile.ts`). */
export function modulesOf(file) {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  return map.sources.map((source) =>
    relative(process.cwd(), resolve(dirname(file), map.sourceRoot ?? '', source))
      .split('\\')
      .join('/'),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const entries = process.argv.slice(2).length ? process.argv.slice(2) : ['dist/ferryml.js', 'dist/lite.js'];
  const name = (file) => relative(resolve('dist'), file);
  for (const entry of entries) {
    if (!existsSync(entry)) {
      console.error(`${entry} is missing: run npm run build`);
      process.exit(1);
    }
    const graph = staticGraph(entry);
    console.log(`${entry}: the static graph (loaded before the registry request)`);
    for (const file of graph) console.log(`  ${name(file)}\n    ${modulesOf(file).join('\n    ')}`);
    console.log(`${entry}: loaded with import()`);
    for (const file of dynamicTargets(graph)) console.log(`  ${name(file)}\n    ${modulesOf(file).join('\n    ')}`);
    console.log('');
  }
}
