// A tfjs engine chunk that does not load (a page serving dist/ without chunks/, an import map that
// resolves no @tensorflow/*, a page gone offline before tfjs was first needed) is a coded error that
// names the fix, not the browser's bare "Failed to fetch dynamically imported module" (src/load-model.ts).
// Its own file: the engine's module must not be in this page's module map yet (and the HTTP cache,
// which earlier test files filled, is skipped while the module is blocked).
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { expectFerryError, stopWatching, watchRequests } from '../model/helpers.js';

describe('the tfjs engine chunk', () => {
  it('that does not load: NO_BACKEND naming dist/chunks/ and @tensorflow/*, with the browser error as cause; a plain-JS model still loads', async function () {
    this.timeout(60_000);
    const options = { registry: '/models/index.json', name: 'penguins', version: '1.1.0', cache: false as const, remember: false };
    // The engine module's request fails inside Chromium, as a missing chunk or an unmapped import does.
    await watchRequests('/src/runtime/engine.*', { offline: true, noCache: true });
    let seen: Array<{ url: string; error?: string }>;
    try {
      const e = await expectFerryError(loadModel({ ...options, engine: 'tfjs' }), 'NO_BACKEND');
      expect(e.message).to.contain('tfjs engine did not load').and.to.contain('dist/chunks/').and.to.contain('@tensorflow/*');
      expect(String((e as Error & { cause?: unknown }).cause)).to.contain('dynamically imported module');
      // The plain-JS kernel needs no tfjs: the same page still loads and answers.
      const model = await loadModel(options);
      expect(model.info.engine).to.equal('js');
      await model.dispose();
    } finally {
      seen = await stopWatching();
    }
    expect(
      seen.some((r) => /\/src\/runtime\/engine\./.test(r.url) && r.error),
      'the engine module was requested and failed',
    ).to.equal(true);
  });
});
