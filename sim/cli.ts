// The simulator's command line.
//
//   npm run sim -- --seeds N [--start-seed S] [--faults all|none|network,partition,...]
//   npm run sim -- --mutation NAME --seeds N     runs until a seed catches the mutation
//   npm run sim -- --mutations all --seeds N     the table: every mutation, first seed caught
//   npm run sim -- --measure                     election times and replication cost
//   npm run sim -- --host --seeds N [--start-seed S] [--faults all|crash,pause,...] [--verbose]
//                                                the real host code (groups, WAL, recovery) on
//                                                simulated processes, disks and bus
//
// Exit code: non-zero on any failure (in mutation modes: on a mutation nobody caught).

import { measureElection, measureReplication } from './measure.js';
import { MUTATIONS, parseFaults, replayCommand, runSeeds } from './runner.js';
import { hostReplayCommand, parseHostFaults, runHostSeeds } from './host/host-runner.js';
import type { MutationName, Summary } from './runner.js';

interface Args {
  seeds: number;
  startSeed: number;
  faults: string;
  mutation: string | undefined;
  mutations: boolean;
  measure: boolean;
  host: boolean;
  verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 100, startSeed: 1, faults: 'all', mutation: undefined, mutations: false, measure: false, host: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seeds') args.seeds = Number(value());
    else if (a === '--start-seed') args.startSeed = Number(value());
    else if (a === '--faults') args.faults = value();
    else if (a === '--mutation') args.mutation = value();
    else if (a === '--mutations') args.mutations = value() === 'all';
    else if (a === '--measure') args.measure = true;
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--host') args.host = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.seeds) || args.seeds < 1) throw new Error('--seeds must be a positive integer');
  if (!Number.isInteger(args.startSeed) || args.startSeed < 0) throw new Error('--start-seed must be a non-negative integer');
  if (args.mutation !== undefined && !(args.mutation in MUTATIONS)) throw new Error(`unknown mutation ${args.mutation} (known: ${Object.keys(MUTATIONS).join(', ')})`);
  return args;
}

function printSummary(s: Summary, faults: string): void {
  const faultList = Object.entries(s.faults).sort().map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`seeds: ${s.seeds}  failures: ${s.failures.length}  inconclusive checks: ${s.inconclusive.length}`);
  console.log(`operations in histories: ${s.operations} (ok ${s.okOps}, unknown ${s.unknownOps})  committed entries: ${s.committed}  leaders elected: ${s.leaders}`);
  console.log(`faults injected: ${faultList || 'none'}`);
  console.log(`wall time: ${(s.wallMs / 1000).toFixed(1)} s (${(s.wallMs / Math.max(1, s.seeds)).toFixed(1)} ms/seed)`);
  for (const f of s.failures.slice(0, 20)) {
    console.log(`FAILED seed ${f.seed}: ${f.failure}`);
    console.log(`  replay: ${replayCommand(f.seed, faults)}`);
  }
  if (s.inconclusive.length > 0) console.log(`inconclusive (checker step budget) seeds: ${s.inconclusive.slice(0, 20).join(', ')}`);
}

async function mainHost(args: Args): Promise<number> {
  const s = await runHostSeeds({
    startSeed: args.startSeed, seeds: args.seeds, faults: parseHostFaults(args.faults), verbose: args.verbose && args.seeds === 1,
    onResult: (r) => {
      if (!r.ok) console.error(`FAILED seed ${r.seed}: ${r.failure}\n  replay: ${hostReplayCommand(r.seed, args.faults)}`);
      else if (args.verbose) console.log(`seed ${r.seed}: ok ops=${r.operations} applied=${r.appliedEntries} events=${r.events}`);
    },
  });
  const faultList = Object.entries(s.faults).sort().map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`host simulation — seeds: ${s.seeds}  failures: ${s.failures.length}  inconclusive checks: ${s.inconclusive.length}`);
  console.log(`operations in histories: ${s.operations} (ok ${s.okOps}, unknown ${s.unknownOps})  entries applied (all replicas): ${s.appliedEntries}  leaders elected: ${s.leaders}  events: ${s.events}`);
  console.log(`faults injected: ${faultList || 'none'}`);
  console.log(`wall time: ${(s.wallMs / 1000).toFixed(1)} s (${(s.wallMs / Math.max(1, s.seeds)).toFixed(0)} ms/seed)`);
  for (const f of s.failures.slice(0, 20)) console.log(`FAILED seed ${f.seed}: ${f.failure?.split('\n')[0]}\n  replay: ${hostReplayCommand(f.seed, args.faults)}`);
  return s.failures.length === 0 ? 0 : 1;
}

function main(args: Args): number {
  const faults = parseFaults(args.faults);
  if (args.measure) {
    for (const timeoutMs of [1000, 300]) {
      const e = measureElection(timeoutMs, 200);
      console.log(`election after leader crash, timeout ${timeoutMs} ms: p50 ${e.p50Ms.toFixed(0)} ms, p99 ${e.p99Ms.toFixed(0)} ms, max ${e.maxMs.toFixed(0)} ms (${e.trials} trials, 3 voters)`);
    }
    for (const clients of [1, 10, 100]) {
      const r = measureReplication(clients, 5000);
      console.log(`replication, ${clients} concurrent writers: ${r.committedEntries} entries in 5 s simulated, ${r.messagesPerEntry.toFixed(2)} messages/entry, ${r.fsyncsPerEntry.toFixed(3)} fsyncs/entry (all 3 nodes), ${r.entriesPerAppend.toFixed(1)} entries/append`);
    }
    return 0;
  }
  if (args.mutations || args.mutation !== undefined) {
    const names = args.mutations ? (Object.keys(MUTATIONS) as MutationName[]) : [args.mutation as MutationName];
    let missed = 0;
    for (const name of names) {
      const s = runSeeds({ startSeed: args.startSeed, seeds: args.seeds, faults, mutation: name, stopAtFirstFailure: true });
      const caught = s.failures[0];
      if (caught === undefined) {
        missed++;
        console.log(`${name}: NOT caught in ${s.seeds} seeds (${MUTATIONS[name].rule})`);
      } else {
        console.log(`${name}: caught by seed ${caught.seed} after ${s.seeds} seeds — ${caught.failure?.split('\n')[0]}`);
        console.log(`  replay: ${replayCommand(caught.seed, args.faults, name)}`);
      }
    }
    return missed === 0 ? 0 : 1;
  }
  let done = 0;
  let failed = 0;
  const started = performance.now();
  const s = runSeeds({
    startSeed: args.startSeed, seeds: args.seeds, faults,
    onResult: (r) => {
      done++;
      if (!r.ok) {
        failed++;
        console.error(`FAILED seed ${r.seed}: ${r.failure?.split('\n')[0]}\n  replay: ${replayCommand(r.seed, args.faults)}`);
      }
      if (args.verbose) console.log(`seed ${r.seed}: ${r.ok ? 'ok' : r.failure} ops=${r.operations} committed=${r.committed}`);
      if (done % 5000 === 0) console.error(`progress: ${done}/${args.seeds} seeds, ${failed} failures, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  printSummary(s, args.faults);
  return s.failures.length === 0 ? 0 : 1;
}

const parsed = parseArgs(process.argv.slice(2));
if (parsed.host) process.exitCode = await mainHost(parsed);
else process.exitCode = main(parsed);
