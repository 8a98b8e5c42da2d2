// Nearest-rank percentile (p in 0..100) of unsorted values.
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const median = (values: readonly number[]) => percentile(values, 50);

// Wall-clock epoch milliseconds with sub-millisecond precision; comparable across processes of
// one machine (each process's timeOrigin is read from the same clock).
export const epochMs = () => performance.timeOrigin + performance.now();
