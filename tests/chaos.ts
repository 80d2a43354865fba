// `npm run chaos -- --minutes 10 [--seed n]`: random faults (kill -9, SIGSTOP, isolation in
// both cut modes, rolling restart, whole-cluster crash, a slow bus, nodes joining and leaving)
// on a 3-node cluster of real processes for the given time under the register workload, then
// the history check and a summary. Exit code 1 if the cluster stalled, lost an acknowledged
// write, applied a refused one, was not linearizable or a node it stopped exited uncleanly.

import { parseArgs } from 'node:util';
import { ALL_FAULTS, describeCheck, runFaults } from './support/cluster-faults.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
});
const minutes = Number(values.minutes);
const seed = Number(values.seed);
if (!(minutes > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run chaos -- [--minutes m] [--seed n]');
  process.exit(2);
}

console.log(`chaos: ${minutes} min of random faults on 3 real nodes (seed ${seed})`);
const started = performance.now();
const report = await runFaults({
  faults: ALL_FAULTS,
  durationMs: minutes * 60_000,
  seed,
  workload: { maxDurationMs: minutes * 60_000 + 5 * 60_000 },
  log: (line) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`),
});
console.log('\nfaults injected:');
for (const [name, count] of report.injected) console.log(`  ${String(count).padStart(4)}  ${name}`);
console.log(`operations: ${report.summary}`);
console.log(`check: ${describeCheck(report.check)}${report.violation === '' ? '' : `, already in these operations:\n${report.violation}`}`);
console.log(`acknowledged writes lost: ${report.lostAcknowledgedWrites.length === 0 ? 'none' : report.lostAcknowledgedWrites.join('; ')}`);
console.log(`refused writes that took effect: ${report.refusedWritesSeen.length === 0 ? 'none' : report.refusedWritesSeen.join('; ')}`);
console.log(`stalls: ${report.stalls.length === 0 ? 'none' : `\n  ${report.stalls.join('\n  ')}`}`);
console.log(`unclean exits: ${report.uncleanExits.length === 0 ? 'none' : `\n${report.uncleanExits.join('\n')}`}`);
if (report.logTails !== '') console.log(`\nlast log lines:\n${report.logTails}`);
if (report.evidenceDir !== undefined) console.log(`\nnode logs and history in ${report.evidenceDir}`);
const failed = report.check.result !== 'ok' || report.lostAcknowledgedWrites.length > 0 || report.refusedWritesSeen.length > 0 || report.stalls.length > 0 || report.uncleanExits.length > 0;
console.log(failed ? '\nFAILED' : '\nPASSED');
process.exitCode = failed ? 1 : 0;
