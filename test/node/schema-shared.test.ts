// Runs the shared schema suites (test/schema/*.test.ts, written for mocha in Chromium) under
// node:test, by installing node:test's describe/it/hooks as the globals mocha would provide.
// The same modules run in the browser, so Node and Chromium are held to the same assertions.
import * as nodeTest from 'node:test';

const globals = globalThis as Record<string, unknown>;
for (const name of ['describe', 'it', 'before', 'after', 'beforeEach', 'afterEach'] as const) globals[name] = nodeTest[name];

for (const suite of ['transform', 'fit', 'identical', 'property', 'types', 'image']) {
  await import(`../schema/${suite}.test.ts`).catch((error: unknown) => {
    // A suite not written yet is skipped loudly; any other load failure fails the run.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(`${suite}.test`)) {
      nodeTest.it(`schema suite ${suite}`, { skip: 'not present' }, () => {});
      return;
    }
    throw error;
  });
}
