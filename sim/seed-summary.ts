// What both simulators report about a seed, and the running totals over many seeds.

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly failure?: string;
  readonly operations: number;
  readonly okOps: number;
  readonly unknownOps: number;
  readonly faultsInjected: Record<string, number>;
  readonly leaders: number;
  /** The linearizability checker ran out of steps: neither proven nor refuted. */
  readonly inconclusive: boolean;
}

export interface SeedSummary<R extends SeedResult> {
  seeds: number;
  failures: R[];
  inconclusive: number[];
  operations: number;
  okOps: number;
  unknownOps: number;
  leaders: number;
  faults: Record<string, number>;
  wallMs: number;
}

export function emptySummary<R extends SeedResult>(): SeedSummary<R> {
  return { seeds: 0, failures: [], inconclusive: [], operations: 0, okOps: 0, unknownOps: 0, leaders: 0, faults: {}, wallMs: 0 };
}

/** Adds what every simulator reports; each adds its own counts beside. */
export function addSeedResult<R extends SeedResult>(summary: SeedSummary<R>, result: R): void {
  summary.seeds++;
  summary.operations += result.operations;
  summary.okOps += result.okOps;
  summary.unknownOps += result.unknownOps;
  summary.leaders += result.leaders;
  for (const [k, v] of Object.entries(result.faultsInjected)) summary.faults[k] = (summary.faults[k] ?? 0) + v;
  if (result.inconclusive) summary.inconclusive.push(result.seed);
  if (!result.ok) summary.failures.push(result);
}
