// Runs many seeds of the host simulation and summarises them (`npm run sim -- --host`).

import { HOST_FAULT_KINDS, runHostSeed } from './host-simulation.js';
import type { HostFaultKind, HostRunResult } from './host-simulation.js';
import { addSeedResult, emptySummary } from '../seed-summary.js';
import type { SeedSummary } from '../seed-summary.js';

export interface HostSummary extends SeedSummary<HostRunResult> {
  appliedEntries: number;
  events: number;
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
  const summary: HostSummary = { ...emptySummary<HostRunResult>(), appliedEntries: 0, events: 0 };
  for (let seed = range.startSeed; seed < range.startSeed + range.seeds; seed++) {
    const result = await runHostSeed({ seed, faults: range.faults, verbose: range.verbose });
    addSeedResult(summary, result);
    summary.appliedEntries += result.appliedEntries;
    summary.events += result.events;
    range.onResult?.(result);
  }
  summary.wallMs = performance.now() - started;
  return summary;
}
