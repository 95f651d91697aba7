#!/usr/bin/env node
// `npm run bench` entry: registers tsx so the harness is TypeScript (type-checked with the rest
// of the repository by `npm run typecheck`), then runs bench/main.ts. Arguments pass through.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
