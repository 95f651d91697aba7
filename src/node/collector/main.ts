/**
 * `ferryml collector [options]` (`npm run collector -- [options]` in the repository): starts the
 * collector, prints the URL and the admin token, and stops cleanly on SIGINT/SIGTERM. Importable
 * within the repository: `runCollector` runs it, `startCollector` (./server.js) starts it without
 * the command-line parts.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs, usage } from './options.js';
import { startCollector } from './server.js';

export { startCollector } from './server.js';
export type { Collector } from './server.js';
export type { CollectorOptions } from './options.js';

/** Runs the collector from command-line arguments until a signal; resolves with the exit code. */
export async function runCollector(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  // --stop-with-stdin (used by `npm start`): stop when the parent's pipe closes, so a parent that
  // dies without cleaning up (kill -9) does not leave this process holding the port and token.
  const stopWithStdin = argv.includes('--stop-with-stdin');
  const c = await startCollector(parseArgs(argv.filter((a) => a !== '--stop-with-stdin')));
  // One machine-readable line first (test harnesses and `npm start` parse it), then the human part.
  console.log(`ferryml collector listening on ${c.url}`);
  console.log(`  ingest:    POST ${c.url}/v1/logs   (OTLP/HTTP JSON; CORS origins: ${c.options.origins.join(', ')})`);
  console.log(`  dashboard: ${c.url}/dashboard#token=${encodeURIComponent(c.token)}`);
  console.log(`  read API:  curl -H 'Authorization: Bearer ${c.token}' ${c.url}/api/models`);
  if (c.options.tokenGenerated) console.log('  (admin token generated for this run; set FERRYML_ADMIN_TOKEN or --token-file to keep one)');
  console.log(
    c.store.kind === 'sqlite'
      ? `  database:  ${c.options.db} (SQLite WAL, schema v${c.store.schemaVersion()})`
      : `  store:     ${c.store.kind} ${c.store.location}, table ${c.store.schemaVersion()} (the OpenTelemetry ClickHouse exporter's schema)`,
  );
  const receivers = [...(c.options.alertmanager ? [`Alertmanager ${c.options.alertmanager}`] : []), ...c.options.webhooks.map((w) => `webhook ${w}`)];
  console.log(
    `  alerts:    ${c.alerts.health().rules} rules every ${c.options.alertsEvery} s → ${receivers.join(', ') || 'no receiver (--alertmanager, --webhook)'}; metrics: GET ${c.url}/metrics (bearer token)`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (stopWithStdin) process.stdin.once('end', stop).once('close', stop).resume();
  });
  await c.close();
  return 0;
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  runCollector(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      const err = e as { code?: string; message?: string };
      console.error(`ferryml collector: ${err.code ? `[${err.code}] ` : ''}${err.message ?? String(e)}`);
      process.exitCode = 1;
    },
  );
}
