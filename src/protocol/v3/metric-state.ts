import { decodeMetric, type MetricValue } from './metric-values.js';
import { type MetricReader, V2_CODES, type V2Code, v2CodesForMetric } from './v2-field-map.js';

/**
 * The latest metric values of one vehicle, fed from its retained `metric/…` topics, and the
 * bookkeeping a bridge needs: which v2 messages a batch of updates changes.
 */

export interface MetricEntry {
  /** The payload as received. */
  readonly text: string;
  /** The typed value (V3.md §3.4). */
  readonly value: MetricValue;
}

export interface RejectedMetric {
  readonly name: string;
  readonly text: string;
  readonly reason: string;
}

export interface MetricBatchResult {
  /** Metrics whose value changed (set, altered or cleared), in update order. */
  readonly changed: readonly string[];
  /** The v2 messages to rebuild, in `V2_CODES` order. */
  readonly rebuild: readonly V2Code[];
  /**
   * Updates whose text did not fit the metric's type. The metric is then undefined (the v2
   * builders send the "never received" default for it), as a garbled value says nothing valid.
   */
  readonly rejected: readonly RejectedMetric[];
}

/** One update: a metric name (dotted) and its payload text. An empty text clears the metric. */
export type MetricUpdate = readonly [name: string, text: string];

const UNCHANGED: MetricBatchResult = { changed: [], rebuild: [], rejected: [] };

export class MetricState implements MetricReader {
  private readonly entries = new Map<string, MetricEntry>();

  /**
   * Applies a batch of updates in order. An empty payload clears the metric: that is what firmware
   * before 3.3.006 sends for a metric that became undefined, and it deletes the retained topic.
   */
  apply(updates: Iterable<MetricUpdate>): MetricBatchResult {
    const changed = new Set<string>();
    const rejected: RejectedMetric[] = [];
    for (const [name, text] of updates) {
      const before = this.entries.get(name);
      if (text === '') {
        if (this.entries.delete(name)) changed.add(name);
        continue;
      }
      if (before?.text === text) continue;
      const decoded = decodeMetric(name, text);
      if (decoded.value === undefined) {
        rejected.push({ name, text, reason: decoded.reason });
        if (this.entries.delete(name)) changed.add(name);
        continue;
      }
      this.entries.set(name, { text, value: decoded.value });
      changed.add(name);
    }
    return { changed: [...changed], rebuild: v2CodesForMetrics(changed), rejected };
  }

  /** Applies one update; see `apply` (the same result, without a batch's bookkeeping). */
  set(name: string, text: string): MetricBatchResult {
    const before = this.entries.get(name);
    if (text !== '' && before?.text === text) return UNCHANGED;
    const decoded = text === '' ? undefined : decodeMetric(name, text);
    const rejected = decoded && decoded.value === undefined ? [{ name, text, reason: decoded.reason }] : [];
    if (decoded?.value !== undefined) this.entries.set(name, { text, value: decoded.value });
    else if (!this.entries.delete(name))
      return rejected.length === 0 ? UNCHANGED : { ...UNCHANGED, rejected };
    return { changed: [name], rebuild: v2CodesForMetric(name), rejected };
  }

  value(name: string): MetricValue | undefined {
    return this.entries.get(name)?.value;
  }

  /** The payload text as received, e.g. to republish it. */
  text(name: string): string | undefined {
    return this.entries.get(name)?.text;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every defined metric, in first-received order. */
  *metrics(): IterableIterator<[string, MetricEntry]> {
    yield* this.entries;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The v2 messages that depend on any of these metrics, in `V2_CODES` order. */
export function v2CodesForMetrics(names: Iterable<string>): V2Code[] {
  const codes = new Set<V2Code>();
  for (const name of names) for (const code of v2CodesForMetric(name)) codes.add(code);
  return V2_CODES.filter((code) => codes.has(code));
}
