#!/usr/bin/env node
// Runs every test/node/**/*.test.ts with node:test (TypeScript through tsx). Extra args pass through.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('-')).length ? args.filter((a) => !a.startsWith('-')) : find('test/node').sort();
const flags = args.filter((a) => a.startsWith('-'));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...flags, ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
