// Runs many seeds of the host simulation and summarises them (`npm run sim -- --host`).

import { HOST_FAULT_KINDS, runHostSeed } from './host-simulation.js';
import type { HostFaultKind, HostRunResult } from './host-simulation.js';

export interface HostSummary {
  seeds: number;
  failures: HostRunResult[];
  inconclusive: number[];
  operations: number;
  okOps: number;
  unknownOps: number;
  appliedEntries: number;
  leaders: number;
  events: number;
  faults: Record<string, number>;
  wallMs: number;
}

export function parseHostFaults(spec: string): Set<HostFaultKind> {
  if (spec === 'all') return new Set(HOST_FAULT_KINDS);
  if (spec === 'none') return new Set();
  const kinds = spec.split(',').map((k) => k.trim());
  for (const k of kinds) if (!(HOST_FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown host fault kind ${k} (known: ${HOST_FAULT_KINDS.join(', ')}, all, none)`);
  return new Set(kinds as HostFaultKind[]);
}

export function hostReplayCommand(seed: number, faults: string): string {
  return `npm run sim -- --host --seeds 1 --start-seed ${seed} --faults ${faults} --verbose`;
}

export async function runHostSeeds(range: {
  readonly startSeed: number;
  readonly seeds: number;
  readonly faults: ReadonlySet<HostFaultKind>;
  readonly verbose?: boolean;
  readonly onResult?: (result: HostRunResult) => void;
}): Promise<HostSummary> {
  const started = performance.now();
  const summary: HostSummary = { seeds: 0, failures: [], inconclusive: [], operations: 0, okOps: 0, unknownOps: 0, appliedEntries: 0, leaders: 0, events: 0, faults: {}, wallMs: 0 };
  for (let seed = range.startSeed; seed < range.startSeed + range.seeds; seed++) {
    const result = await runHostSeed({ seed, faults: range.faults, verbose: range.verbose });
    summary.seeds++;
    summary.operations += result.operations;
    summary.okOps += result.okOps;
    summary.unknownOps += result.unknownOps;
    summary.appliedEntries += result.appliedEntries;
    summary.leaders += result.leaders;
    summary.events += result.events;
    for (const [k, v] of Object.entries(result.faultsInjected)) summary.faults[k] = (summary.faults[k] ?? 0) + v;
    if (result.inconclusive) summary.inconclusive.push(seed);
    if (!result.ok) summary.failures.push(result);
    range.onResult?.(result);
  }
  summary.wallMs = performance.now() - started;
  return summary;
}
