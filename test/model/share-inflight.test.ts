// The shared-download group on its own: a task whose every caller aborted is no longer joined,
// even while it is still running (a step that never looks at its signal: hashing, reading the cache).
import { expect } from 'chai';
import { FerryError } from '../../src/errors.js';
import { createInflightGroup } from '../../src/model/share-inflight.js';
import { expectFerryError } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('share-inflight: joining a task', () => {
  it('a caller arriving after every other one aborted starts a fresh task and never inherits their abort ("Cancel", then "Retry")', async () => {
    const group = createInflightGroup<string>();
    let started = 0;
    const start = async (signal: AbortSignal) => {
      const n = ++started;
      await sleep(100); // does not look at the signal meanwhile
      if (signal.aborted) throw new FerryError('ABORTED', 'aborted by its signal');
      return `task ${n}`;
    };
    const cancel = new AbortController();
    const first = group.join('tiny', start, cancel.signal);
    await sleep(10);
    cancel.abort(new Error('Cancel'));
    await expectFerryError(first, 'ABORTED');
    // The first task is still running (it looks at its signal only after its step).
    const retry = group.join('tiny', start, new AbortController().signal);
    expect(await retry).to.equal('task 2');
  });

  it('a caller joining while another still waits shares the task, and one abort does not cancel it', async () => {
    const group = createInflightGroup<string>();
    let started = 0;
    const start = async (signal: AbortSignal) => {
      started++;
      await sleep(50);
      if (signal.aborted) throw new Error('aborted');
      return 'shared';
    };
    const cancel = new AbortController();
    const a = group.join('tiny', start, cancel.signal);
    const b = group.join('tiny', start, undefined);
    cancel.abort();
    const c = group.join('tiny', start, undefined);
    await expectFerryError(a, 'ABORTED');
    expect([await b, await c, started]).to.deep.equal(['shared', 'shared', 1]);
  });
});
