// Fault injection for the browser tests: real HTTP responses from the test server, never a
// stubbed fetch. A test picks faults by URL:
//
//   /__fault/<spec>/<path of a real file under the repo root>
//
// <spec> is a comma-separated list (no slashes) of:
//   scope=ID          counters and the offline switch below are per scope (default "default")
//   on=TEXT           apply the fault only to paths containing TEXT (others are served normally)
//                     (values are URL-decoded: write a "/" inside the spec as %2F)
//   times=N           apply it to the first N matching requests of this scope only
//   delay=MS          wait before answering (concurrency tests)
//   status=CODE       answer CODE with a short text body (with retry-after=S: a Retry-After header)
//   hang              never answer; the connection stays open until the client gives up (timeouts)
//   truncate          send the first half of the file, with a matching Content-Length
//   cut               announce the full Content-Length, send half, then destroy the connection
//   flip              flip the bits of one byte in the middle of the file
//   html              send an HTML "404 Not Found" page (status 200 unless status= is given;
//                     type=... overrides its Content-Type, e.g. type=application/json)
//   tamper=FIELD      JSON: change a signed field (seed) or drop the signature (unsign)
//   revoke=V          JSON registry: add version V to every model's revoked list
//   offline           destroy the connection without an answer
//
// Control, per scope:  GET /__fault-control/<scope>             → { offline, requests: { path: count } }
//                      GET /__fault-control/<scope>?offline=1|0  → set the scope offline (all its
//                          requests get their connection destroyed) or back online
//                      GET /__fault-control/<scope>?reset=1      → forget counters and offline
// The `ferryml:quota` test-runner command sets (or with `null` resets) the page origin's storage
// quota through the Chrome DevTools Protocol, so QuotaExceededError comes from Chromium itself.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const root = process.cwd();
const scopes = new Map();
const scopeOf = (id) => {
  let s = scopes.get(id);
  if (!s) scopes.set(id, (s = { offline: false, requests: {}, matched: {} }));
  return s;
};

const TYPES = { '.json': 'application/json', '.bin': 'application/octet-stream', '.html': 'text/html; charset=utf-8', '.txt': 'text/plain' };
const HTML_404 =
  '<!doctype html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n';

function parseSpec(text) {
  const spec = {};
  for (const part of decodeURIComponent(text).split(',')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) spec[part] = true;
    else spec[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return spec;
}

/**
 * Writes the response straight to Node's ServerResponse: the test runner's cache middleware
 * would otherwise stamp `Cache-Control: max-age=31536000` on every path with an extension,
 * and Chromium would then serve an injected 500 from its HTTP cache on the retry.
 */
function send(ctx, status, type, body, headers = {}) {
  ctx.respond = false;
  ctx.res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(body.length), 'Cache-Control': 'no-store', ...headers });
  ctx.res.end(body);
}

function destroy(ctx) {
  ctx.respond = false;
  ctx.req.socket.destroy();
}

function tamperJson(bytes, spec) {
  const json = JSON.parse(bytes.toString('utf8'));
  if (spec.tamper === 'unsign') delete json.signature;
  else if (spec.tamper) {
    json.training = { ...json.training, seed: (json.training?.seed ?? 0) + 1 };
  }
  if (spec.revoke) for (const entry of Object.values(json.models ?? {})) entry.revoked = [...new Set([...(entry.revoked ?? []), spec.revoke])];
  return Buffer.from(`${JSON.stringify(json, null, 2)}\n`);
}

async function faultMiddleware(ctx, next) {
  if (ctx.path.startsWith('/__fault-control/')) {
    const id = decodeURIComponent(ctx.path.slice('/__fault-control/'.length));
    if (ctx.query.reset) scopes.delete(id);
    const scope = scopeOf(id);
    if (ctx.query.offline !== undefined) scope.offline = ctx.query.offline === '1';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { offline: scope.offline, requests: scope.requests };
    return;
  }
  if (!ctx.path.startsWith('/__fault/')) return next();
  const rest = ctx.path.slice('/__fault/'.length);
  const slash = rest.indexOf('/');
  const spec = parseSpec(rest.slice(0, slash));
  const path = decodeURIComponent(rest.slice(slash + 1));
  const scope = scopeOf(spec.scope ?? 'default');
  scope.requests[path] = (scope.requests[path] ?? 0) + 1;
  if (scope.offline) return destroy(ctx);

  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep)) return send(ctx, 403, 'text/plain', Buffer.from('outside the repo'));
  let bytes;
  try {
    bytes = await readFile(file);
  } catch {
    return send(ctx, 404, 'text/plain', Buffer.from(`no such fixture: ${path}`));
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  let apply = spec.on === undefined || path.includes(spec.on);
  if (apply && spec.times !== undefined) {
    const key = `${rest.slice(0, slash)}`;
    scope.matched[key] = (scope.matched[key] ?? 0) + 1;
    apply = scope.matched[key] <= Number(spec.times);
  }
  if (apply && spec.delay) await new Promise((r) => setTimeout(r, Number(spec.delay)));
  if (!apply) return send(ctx, 200, type, bytes);
  if (spec.offline) return destroy(ctx);
  if (spec.hang) {
    ctx.respond = false;
    // Held until the client aborts (its timeout), or 20 s so a broken test cannot pin the server.
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        ctx.req.socket.destroy();
        resolve();
      }, 20_000);
      ctx.req.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return;
  }
  if (spec.html) return send(ctx, spec.status ? Number(spec.status) : 200, spec.type ?? 'text/html; charset=utf-8', Buffer.from(HTML_404));
  if (spec.status) {
    const headers = spec['retry-after'] === undefined ? {} : { 'Retry-After': spec['retry-after'] };
    return send(ctx, Number(spec.status), 'text/plain', Buffer.from(`injected ${spec.status}`), headers);
  }
  if (spec.tamper || spec.revoke) bytes = tamperJson(bytes, spec);
  if (spec.flip) {
    bytes = Buffer.from(bytes);
    bytes[bytes.length >> 1] ^= 0xff;
  }
  if (spec.truncate) bytes = bytes.subarray(0, bytes.length >> 1);
  if (spec.cut) {
    ctx.respond = false;
    ctx.res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(bytes.length), 'Cache-Control': 'no-store' });
    ctx.res.write(bytes.subarray(0, bytes.length >> 1), () => setTimeout(() => ctx.req.socket.destroy(), 20));
    return;
  }
  send(ctx, 200, type, bytes);
}

export const middleware = [faultMiddleware];

// Chromium ties a quota override to the DevTools session that set it (detaching undoes it),
// so the session stays open until the test resets the quota.
const quotaSessions = new Map();

export const plugins = [
  {
    name: 'ferryml-faults',
    async executeCommand({ command, payload, session }) {
      if (command !== 'ferryml:quota') return undefined;
      const page = session.browser.getPage(session.id);
      const origin = new URL(page.url()).origin;
      let cdp = quotaSessions.get(session.id);
      if (payload?.quotaSize == null) {
        if (cdp) {
          quotaSessions.delete(session.id);
          await cdp.send('Storage.overrideQuotaForOrigin', { origin });
          await cdp.detach();
        }
        return true;
      }
      if (!cdp) quotaSessions.set(session.id, (cdp = await page.createCDPSession()));
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: payload.quotaSize });
      return true;
    },
  },
];
