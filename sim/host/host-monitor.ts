// Safety of the real host under simulation, judged from outside: at most one leader per term
// in each group, every replica applies the same entry at each index of each group, and
// replicas that applied the same index hold byte-identical state (snapshot encodings equal).

import { createHash } from 'node:crypto';
import type { Host } from '../../src/cluster/host.js';
import type { GroupId, NodeId } from '../../src/raft/index.js';

export class HostMonitor {
  readonly violations: string[] = [];
  private readonly leaderOfTerm = new Map<string, NodeId>();
  private readonly entryAt = new Map<string, { readonly node: NodeId; readonly text: string }>();
  leadersElected = 0;
  appliedEntries = 0;

  /** Hooks a freshly opened host: every entry it applies is compared with the other replicas'. */
  watch(host: Host): void {
    for (const [groupId, group] of host.groups) {
      const next = group.onApplied;
      group.onApplied = (index, kind, args, origin) => {
        this.applied(host.nodeId, groupId, index, `${kind} ${JSON.stringify(args)}`);
        next?.(index, kind, args, origin);
      };
    }
  }

  private applied(node: NodeId, group: GroupId, index: number, text: string): void {
    this.appliedEntries++;
    const key = `${group}:${index}`;
    const first = this.entryAt.get(key);
    if (first === undefined) this.entryAt.set(key, { node, text });
    else if (first.text !== text) this.violate(`group ${group} index ${index}: node ${first.node} applied ${first.text}, node ${node} applied ${text}`);
  }

  /** Called after every event with the hosts that run. */
  observe(hosts: readonly Host[]): void {
    for (const host of hosts) {
      for (const [groupId, group] of host.groups) {
        if (!group.isLeader) continue;
        const key = `${groupId}:${group.raw.raft.term}`;
        const leader = this.leaderOfTerm.get(key);
        if (leader === undefined) {
          this.leaderOfTerm.set(key, host.nodeId);
          this.leadersElected++;
        } else if (leader !== host.nodeId) this.violate(`group ${groupId} term ${group.raw.raft.term}: nodes ${leader} and ${host.nodeId} both lead`);
      }
    }
  }

  /** Replicas at the same applied index must hold the same state. */
  compareStates(hosts: readonly Host[]): { compared: number } {
    let compared = 0;
    for (const groupId of hosts[0]?.groups.keys() ?? []) {
      const digests = new Map<number, { readonly node: NodeId; readonly digest: string }>();
      for (const host of hosts) {
        const group = host.groups.get(groupId);
        if (group === undefined) continue;
        const { index, chunks } = group.machine.snapshot();
        const hash = createHash('sha256');
        for (const chunk of chunks) hash.update(chunk);
        const digest = hash.digest('hex');
        const other = digests.get(index);
        if (other === undefined) digests.set(index, { node: host.nodeId, digest });
        else {
          compared++;
          if (other.digest !== digest) this.violate(`group ${groupId} at index ${index}: nodes ${other.node} and ${host.nodeId} hold different states`);
        }
      }
    }
    return { compared };
  }

  private violate(what: string): void {
    if (this.violations.length < 20) this.violations.push(what);
  }
}
