// Runs the shared schema suites (test/schema/*.test.ts, written for mocha in Chromium) under
// node:test, by installing node:test's describe/it/hooks as the globals mocha would provide.
// The same modules run in the browser, so Node and Chromium are held to the same assertions
// (test/schema/identical.test.ts compares both with one committed digest fixture).
import * as nodeTest from 'node:test';

const globals = globalThis as Record<string, unknown>;
for (const name of ['describe', 'it', 'before', 'after', 'beforeEach', 'afterEach'] as const) globals[name] = nodeTest[name];

// Imported after the globals exist; static imports would be hoisted above the assignment.
await import('../schema/transform.test.js');
await import('../schema/fit.test.js');
await import('../schema/identical.test.js');
await import('../schema/property.test.js');
await import('../schema/define.test.js');
await import('../schema/types.test.js');
await import('../schema/image.test.js');
await import('../schema/image-resize.test.js');
await import('../schema/image-parity.test.js');
await import('../schema/large-image.test.js');
