import { expect } from 'chai';
import { backoffMs, retryAfterMs } from '../../src/telemetry/retry.js';

describe('telemetry/retry', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    expect(retryAfterMs('3', now)).to.equal(3000);
    expect(retryAfterMs(' 0 ', now)).to.equal(0);
    expect(retryAfterMs('Thu, 26 Nov 2026 10:00:07 GMT', now)).to.equal(7000);
    expect(retryAfterMs('Thu, 26 Nov 2026 09:00:00 GMT', now)).to.equal(0);
    expect(retryAfterMs('soon', now)).to.equal(undefined);
    expect(retryAfterMs(null, now)).to.equal(undefined);
  });

  it('backs off exponentially with jitter in [d/2, d], capped', () => {
    for (let retry = 1; retry <= 8; retry++) {
      const d = Math.min(30_000, 1000 * 2 ** (retry - 1));
      for (let i = 0; i < 50; i++) expect(backoffMs(retry, 1000, 30_000)).to.be.within(d / 2, d);
    }
  });
});
