// A registry URL whose index.json a test can swap, as an attacker who controls the CDN can:
//
//   /__registry/<scope>/index.json   the genuine test/fixtures/bundles/models/index.json, or the
//                                    attack registry test/fixtures/bundles/registries/<variant>.json
//                                    that GET /__registry-control/<scope>?serve=<variant> chose
//                                    (?serve=current goes back to the genuine one)
//   /__registry/<scope>/<rest>       test/fixtures/bundles/models/<rest> (the bundles, untouched)
//
// One URL for every variant: the client keys what it trusts by registry URL, so a rollback has
// to arrive where the genuine registry did.
import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';

const root = process.cwd();
const models = join(root, 'test/fixtures/bundles/models');
const registries = join(root, 'test/fixtures/bundles/registries');
const serving = new Map();

function send(ctx, status, type, body) {
  ctx.respond = false;
  ctx.res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(body.length), 'Cache-Control': 'no-store' });
  ctx.res.end(body);
}

async function registryMiddleware(ctx, next) {
  if (ctx.path.startsWith('/__registry-control/')) {
    const scope = ctx.path.slice('/__registry-control/'.length);
    const variant = String(ctx.query.serve ?? 'current');
    if (!/^[a-z-]+$/.test(variant)) return send(ctx, 400, 'text/plain', Buffer.from('serve=<variant>, letters and dashes'));
    serving.set(scope, variant);
    return send(ctx, 200, 'application/json', Buffer.from(JSON.stringify({ scope, serving: variant })));
  }
  if (!ctx.path.startsWith('/__registry/')) return next();
  const rest = ctx.path.slice('/__registry/'.length);
  const slash = rest.indexOf('/');
  const scope = rest.slice(0, slash);
  const path = rest.slice(slash + 1);
  const variant = serving.get(scope) ?? 'current';
  const file = path === 'index.json' && variant !== 'current' ? join(registries, `${variant}.json`) : normalize(join(models, path));
  if (!file.startsWith(models + sep) && !file.startsWith(registries + sep)) return send(ctx, 403, 'text/plain', Buffer.from('outside the fixtures'));
  try {
    const body = await readFile(file);
    return send(ctx, 200, file.endsWith('.json') ? 'application/json' : 'application/octet-stream', body);
  } catch {
    return send(ctx, 404, 'text/plain', Buffer.from(`no such fixture: ${path}`));
  }
}

export const middleware = [registryMiddleware];
