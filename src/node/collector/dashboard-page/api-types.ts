/**
 * The read API's answers as the dashboard page gets them: the types of the collector's own
 * functions (type-only imports, erased from the page's bundle), so a field renamed there is a
 * compile error here.
 */
import type { Alert } from '../alerts/state.js';
import type { models, summary, timeseries } from '../read-api.js';

export type ModelsAnswer = Awaited<ReturnType<typeof models>>;
export type Summary = Awaited<ReturnType<typeof summary>>;
export type Timeseries = Awaited<ReturnType<typeof timeseries>>;
export type DriftRow = Summary['drift'][number];
/** `GET /api/alerts` (server.ts). */
export interface AlertsAnswer {
  firing: Alert[];
  pending: Alert[];
  recent: Alert[];
}
