// The README's API example must run as written: this test takes the first ```js block of the
// "Using ferryml in an app" section, points its `from 'ferryml'` at the SDK's source, and runs
// it as a module in this page against the shipped bundles.
import { expect } from 'chai';

async function readmeExample(): Promise<string> {
  const readme = await (await fetch('/README.md')).text();
  const section = readme.slice(readme.indexOf('## Using ferryml in an app'));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no ```js block in "Using ferryml in an app"');
  return block.replace(/from 'ferryml'/g, `from '${new URL('/src/index.ts', location.href).href}'`);
}

describe('README API example', () => {
  it('runs as written and prints a prediction, validation issues and batch results', async () => {
    const code = await readmeExample();
    const logged: unknown[][] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void logged.push(args);
    try {
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      await import(/* @vite-ignore */ url);
    } finally {
      console.log = log;
    }
    expect(logged).to.have.length(4);
    // The example resolves the registry: a random 10 % of clients are in the canary rollout, which
    // serves penguins 2.0.0 (the gradient-boosting model behind the same columns).
    expect(logged[0]![0]).to.match(/^penguins@(1\.\d\.\d|2\.0\.0) on (webgpu|wasm|cpu)$/);
    expect(logged[1]![0]).to.be.oneOf(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(Object.keys(logged[1]![1] as object)).to.deep.equal(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(logged[2]![0]).to.include.members(['Island: UNKNOWN_CATEGORY', 'Beak Length (mm): PARSE_ERROR']);
    expect((logged[3]![0] as unknown[])[1]).to.equal(null);
    expect(logged[3]![0]).to.have.length(2);
  });
});
