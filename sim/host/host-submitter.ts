// How the host simulation's clients reach a node: through the real data group, as the server's
// dispatcher does — a write is proposed (forwarded to the leader from a follower) and answered
// from this replica's apply; a read waits for `read()` (lease, ReadIndex, or the leader's read
// index on a follower) and then runs GET against this replica's keyspace.

import { CommandRunner } from '../../src/commands/command-runner.js';
import type { ApplyResult } from '../../src/commands/command-spec.js';
import type { Host } from '../../src/cluster/host.js';
import { ErrorReply } from '../../src/protocol/values.js';
import type { Outcome } from '../check/history.js';
import type { Answer, SubmittedOp, Submitter, WorkloadNode } from '../workload.js';

export interface HostWorkloadNode extends WorkloadNode {
  readonly host: Host | undefined;
}

export class HostSubmitter implements Submitter<HostWorkloadNode> {
  /** Replies no client of a healthy cluster should ever see (each is a bug report). */
  readonly unexpected: string[] = [];

  submit(op: SubmittedOp, node: HostWorkloadNode, answer: Answer): void {
    const host = node.host;
    if (host === undefined) return answer('failed');
    const group = host.dataGroup;
    const { input } = op;
    if (input.kind === 'read') {
      group.read((refusal) => {
        if (refusal !== undefined) return answer(this.refused(refusal));
        const value = new CommandRunner(group.machine, group.nowMs()).run(['GET', op.key]);
        answer({ status: 'ok', value: value === null ? null : String(value) });
      });
      return;
    }
    if (input.kind === 'cas') throw new Error('the host workload has no compare-and-set');
    group.propose('command', ['SET', op.key, input.value], (result: ApplyResult) => {
      answer(result instanceof ErrorReply ? this.refused(result) : { status: 'ok' });
    });
  }

  /**
   * TRYAGAIN, CLUSTERDOWN and a failed log's refusal promise nothing happened; UNCERTAIN says
   * it may have.
   */
  private refused(error: ErrorReply): Outcome | 'failed' {
    if (/^(TRYAGAIN|CLUSTERDOWN|ERR write-ahead log failure)/.test(error.message)) return 'failed';
    if (!error.message.startsWith('UNCERTAIN')) this.unexpected.push(error.message);
    return { status: 'unknown' };
  }
}
