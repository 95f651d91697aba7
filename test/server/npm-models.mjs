// Serves models that npm packages ship wrapped in JavaScript, unwrapped (test/support/npm-models.mjs):
//   GET /__npm-models/nsfwjs/<model>/<file>   model.json or a binary weight shard
import { NSFWJS, unwrapNsfwjs } from '../support/npm-models.mjs';

const cache = new Map();

export const middleware = [
  async (ctx, next) => {
    const m = /^\/__npm-models\/nsfwjs\/([a-z0-9_]+)\/([A-Za-z0-9_.-]+)$/.exec(ctx.path);
    if (!m || !(m[1] in NSFWJS)) return next();
    if (!cache.has(m[1])) cache.set(m[1], unwrapNsfwjs(m[1]));
    const bytes = cache.get(m[1]).get(m[2]);
    if (!bytes) return next();
    ctx.type = m[2].endsWith('.json') ? 'application/json' : 'application/octet-stream';
    ctx.body = bytes;
  },
];
