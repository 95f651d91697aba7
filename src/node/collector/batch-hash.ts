/**
 * What identifies a batch's content: its records without times (a retry may re-stamp untimed
 * records with its arrival time). Both stores keep the first hash seen per batch id and drop a
 * later batch with that id and hash as a duplicate, so they dedupe by the same rule.
 */
import { createHash } from 'node:crypto';
import type { ParsedGroup } from './otlp-parse.js';

/** The sha256 (hex) of a group's records, times left out. */
export function batchContentHash(g: ParsedGroup): string {
  const h = createHash('sha256');
  for (const r of g.rows) h.update(`${r.event}\0${r.severity}\0${r.body}\0${r.attributes}\0${r.resource}\0`);
  return h.digest('hex');
}
