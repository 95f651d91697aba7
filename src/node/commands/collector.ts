/** `ferryml collector`: the OTLP/HTTP JSON collector with SQLite storage, read API and dashboard. */
import { runCollector } from '../collector/main.js';
import { usage as collectorUsage } from '../collector/options.js';

/** Usage text. */
export const usage = collectorUsage;

/** Runs until SIGINT/SIGTERM. */
export function run(argv: string[]): Promise<number> {
  return runCollector(argv);
}
