// The simulated network between nodes: each message is delayed (so reordered), lost or
// duplicated at the seed's rates, and dropped on links a partition cuts (directed, so
// partitions can be asymmetric).

import type { Message, NodeId } from '../src/raft/index.js';
import type { EventQueue } from './event-queue.js';
import type { Prng } from './prng.js';

export interface NetworkFaults {
  lossRate: number;
  duplicateRate: number;
  delayMinMs: number;
  delayMaxMs: number;
  /** Chance that a message takes a long detour (up to spikeMaxMs), overtaking nothing. */
  spikeRate: number;
  spikeMaxMs: number;
}

export const CALM: NetworkFaults = { lossRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 5, spikeRate: 0, spikeMaxMs: 0 };

export class SimNetwork {
  faults: NetworkFaults = { ...CALM };
  /** Cut directed links, as "from->to". */
  readonly cut = new Set<string>();
  sent = 0;
  delivered = 0;
  dropped = 0;
  duplicated = 0;

  constructor(private readonly queue: EventQueue, private readonly prng: Prng, private readonly deliver: (m: Message) => void) {}

  send(m: Message): void {
    this.sent++;
    const copies = this.prng.chance(this.faults.duplicateRate) ? 2 : 1;
    if (copies === 2) this.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (this.prng.chance(this.faults.lossRate)) {
        this.dropped++;
        continue;
      }
      let delayMs = this.faults.delayMinMs + this.prng.next() * (this.faults.delayMaxMs - this.faults.delayMinMs);
      if (this.prng.chance(this.faults.spikeRate)) delayMs += this.prng.next() * this.faults.spikeMaxMs;
      this.queue.after(delayMs, () => {
        // A partition applies to what is still in flight when it starts.
        if (this.cut.has(linkName(m.from, m.to))) {
          this.dropped++;
          return;
        }
        this.delivered++;
        this.deliver(m);
      });
    }
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(linkName(from, to));
  }

  isolate(id: NodeId, others: readonly NodeId[]): void {
    for (const other of others) {
      if (other === id) continue;
      this.cutLink(id, other);
      this.cutLink(other, id);
    }
  }

  heal(): void {
    this.cut.clear();
  }
}

export function linkName(from: NodeId, to: NodeId): string {
  return `${from}->${to}`;
}
