// The page's requests as Chromium itself sees them, and offline as Chromium sees it, for the
// browser tests (DevTools Protocol on the test page):
//   Network.requestWillBeSent / loadingFailed        one event per fetch the page (or a worker it starts) makes (Chromium's
//                                                    own silent resend on a dead keep-alive socket
//                                                    is not a second one), so tests count attempts
//   Network.overrideNetworkState { offline: true }   navigator.onLine turns false and an `offline`
//                                                    event fires (requests would still go out)
//   Network.emulateNetworkConditionsByRule           requests matching one URL pattern fail inside
//                                                    the browser (net::ERR_INTERNET_DISCONNECTED)
// The last two together are a disconnected page, except that the test runner's own traffic (its
// WebSocket, module loads, /__fault-control) keeps working: DevTools' plain "Offline"
// (page.setOfflineMode) cuts the runner's WebSocket and ends the test run.
//
// Command `ferryml:network`
//   { record: "/__fault/scope=ID/*", offline?: true, noCache?: true }  start recording requests to
//                                      that path pattern on the page's origin (`*`: any characters);
//                                      with `offline`, also take the page offline with those URLs
//                                      blocked; with `noCache`, the page's requests skip the HTTP cache
//   { stop: true }                     back online, stop recording; answers
//                                      { requests: [{ url, error? }] } (error: Chromium's net error)
const sessions = new Map();

const UNTHROTTLED = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };

/** The same test as Chromium's URLPattern for these patterns (a literal URL with `*` wildcards); Node 20 has no URLPattern. */
const matcher = (pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

async function stateOf(session) {
  let state = sessions.get(session.id);
  if (state) return state;
  const page = session.browser.getPage(session.id);
  const cdp = await page.createCDPSession();
  state = { cdp, test: undefined, offline: false, requests: new Map(), since: 0 };
  sessions.set(session.id, state);
  const onRequest = (e) => {
    // CDP events can arrive after the command that started recording: a request the page sent
    // before it (its wallTime, in seconds, is earlier) belongs to the previous phase.
    if (e.wallTime !== undefined && e.wallTime * 1000 < state.since) return;
    if (state.test?.test(e.request.url) && !state.requests.has(e.requestId)) state.requests.set(e.requestId, { url: e.request.url });
  };
  cdp.on('Network.requestWillBeSent', onRequest);
  // A dedicated worker is its own DevTools target (its module imports and fetches are not the
  // page's): puppeteer attaches to it paused and resumes it after this handler, so enabling the
  // Network domain here, synchronously, sees the worker's first request too.
  page.on('workercreated', (worker) => {
    worker.client.on('Network.requestWillBeSent', onRequest);
    worker.client.send('Network.enable').catch(() => undefined);
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = state.requests.get(e.requestId);
    if (r) r.error = e.errorText;
  });
  await cdp.send('Network.enable');
  return state;
}

export const plugins = [
  {
    name: 'ferryml-network',
    async executeCommand({ command, payload, session }) {
      if (command !== 'ferryml:network') return undefined;
      const state = await stateOf(session);
      const { cdp } = state;
      if (payload?.record !== undefined) {
        if (typeof payload.record !== 'string' || !payload.record.startsWith('/'))
          throw new Error('ferryml:network: `record` must be a path pattern starting with "/"');
        const pattern = new URL(session.browser.getPage(session.id).url()).origin + payload.record;
        state.test = matcher(pattern);
        state.since = Date.now();
        state.requests.clear();
        if (payload.noCache) {
          // Requests bypass the HTTP cache too (a module another test file loaded is cached, and a
          // cache hit never meets the offline rule).
          state.noCache = true;
          await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        }
        if (payload.offline) {
          state.offline = true;
          await cdp.send('Network.emulateNetworkConditionsByRule', { offline: true, matchedNetworkConditions: [{ urlPattern: pattern, ...UNTHROTTLED }] });
          await cdp.send('Network.overrideNetworkState', { offline: true, ...UNTHROTTLED });
        }
        return { requests: [] };
      }
      if (!payload?.stop) throw new Error('ferryml:network: payload must be { record, offline?, noCache? } or { stop: true }');
      if (state.offline) {
        state.offline = false;
        await cdp.send('Network.overrideNetworkState', { offline: false, ...UNTHROTTLED });
        await cdp.send('Network.emulateNetworkConditionsByRule', { offline: false, matchedNetworkConditions: [] });
      }
      if (state.noCache) {
        state.noCache = false;
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
      }
      const requests = [...state.requests.values()];
      state.test = undefined;
      state.requests.clear();
      return { requests };
    },
  },
];
