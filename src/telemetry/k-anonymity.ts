/**
 * The k-anonymity rule for windows of counts (input drift here, output monitoring too): a window
 * leaves the browser only once it holds at least `minRows` rows. A smaller window is not sent and
 * not dropped: it is held and merged (counts added) into the same key's next window, so no record
 * can describe one row, or a handful, of one user's inputs. Memory is bounded: at most one held
 * window per key (the merge folds the rest into it).
 */

/** How to count and merge one kind of window. */
export interface KAnonymousRule<W> {
  /** The k: fewest rows a released window holds. */
  minRows: number;
  /** Rows a window stands for (what k is checked against). */
  rows(window: W): number;
  /** One window holding the rows of both (`held` is the older one). */
  merge(held: W, next: W): W;
}

/** A window that may leave, and the wall time its rows span (held windows included). */
export interface Released<W> {
  window: W;
  windowMs: number;
}

/** True when a window of `rows` rows may be sent under k = `minRows`. */
export function meetsK(rows: number, minRows: number): boolean {
  return rows >= minRows && rows > 0;
}

/**
 * The gate: `offer(key, window, ms)` returns the window to send (merged with what was held for
 * `key`), or `undefined` when the rows are still under k (then they are held for the next offer).
 * @example
 * const gate = createKAnonymousGate({ minRows: 100, rows: (w) => w.rows, merge: addCounts });
 * const out = gate.offer('island', window, 60_000); // undefined until 100 rows accumulated
 */
export function createKAnonymousGate<W>(rule: KAnonymousRule<W>) {
  const held = new Map<string, Released<W>>();
  return {
    offer(key: string, window: W, windowMs: number): Released<W> | undefined {
      const before = held.get(key);
      const merged: Released<W> = before ? { window: rule.merge(before.window, window), windowMs: before.windowMs + windowMs } : { window, windowMs };
      if (meetsK(rule.rows(merged.window), rule.minRows)) {
        held.delete(key);
        return merged;
      }
      held.set(key, merged);
      return undefined;
    },
    /** Rows held back per key (what `stats()` can show; never sent). */
    held(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const [key, r] of held) out[key] = rule.rows(r.window);
      return out;
    },
  };
}
