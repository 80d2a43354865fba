// Raft as a pure library (DESIGN.md decision 2), in the shape of etcd's raft: no sockets,
// timers, files, clocks or randomness of its own. One RawNode is one member of one group.
//
// The host's loop, per group member:
//
//   const node = new RawNode({ id, group, storage, random, electionTicks: 10, heartbeatTicks: 1 });
//   (a new group's founding members start from bootstrapStorage(voters); a member added later
//   starts from an empty MemoryStorage and learns the membership from the log or a snapshot)
//   every tick interval:      node.tick()
//   on a message for group:   node.step(message)
//   on a client write:        node.propose(bytes)        → { accepted, index, term } or refusal + leader hint
//   on a linearizable read:   node.readIndex(contextId)  → later a ReadState { index, context }
//   membership / balancing:   node.proposeConfChange({ type, nodeId }), node.transferLeadership(id)
//   then, while node.hasReady():
//     const rd = node.ready();
//     send rd.messages                       (may go out while persisting)
//     persist rd.snapshot, rd.entries, rd.hardState; fsync if rd.mustSync
//     send rd.messagesAfterPersist           (only after the fsync above)
//     restore rd.snapshot into the state machine; apply rd.committedEntries in order
//       (a write proposed at (index, term) succeeded iff the entry applied at index has that term)
//     serve each rd.readStates[i] once the applied index >= its index
//     node.advance()
//
// Persistence onto the node's storage (src/storage): each entry is a WAL `entry` record
// {group, term, index, data: encodeEntryData(entry)}, a later record for an index replacing
// the earlier one and everything after it; rd.hardState is a `hardState` record; a snapshot is
// a snapshot file {group, index, term} whose payload is encodeSnapshotPayload(snapshot) (the
// membership lives at the head of the payload). On start, fill a MemoryStorage from the latest
// snapshot and the WAL records after it (setHardState, applySnapshot, append) and hand it to
// the RawNode; restore the state machine from the snapshot: Raft re-delivers committed entries
// after it. To compact: storage.createSnapshot(applied, node.status().confState, data) then
// storage.compact(index) — call it between advance() and the next ready().
//
// Timing: electionTicks > heartbeatTicks; the election timeout is drawn from
// [electionTicks, 2·electionTicks) with the host's seeded RandomSource. Lease reads
// (readOnly: 'leaseBased') assume clocks drift apart by at most `clockDriftBound` (see
// read-only.ts). Ticks must keep running while the host waits for an fsync. Ticks measure real
// time: derive them from a monotonic clock, and after any stall (GC pause, SIGSTOP, a busy
// event loop) deliver the missed ticks before stepping messages or calling readIndex — a lease
// judged on a clock that stood still serves stale reads (the simulator's pause fault checks it).

export { RawNode } from './raw-node.js';
export type { EarlyWork, Ready, SoftState, Status } from './raw-node.js';
export type { RaftConfig, RaftMutations } from './raft.js';
export { bootstrapStorage, MemoryStorage } from './storage.js';
export type { InitialState, Storage } from './storage.js';
export { decodeConfChange, encodeConfChange } from './conf-change.js';
export { decodeEntryData, decodeSnapshotPayload, encodeEntryData, encodeSnapshotPayload } from './codec.js';
export { leaseTicksFor } from './read-only.js';
export { NONE } from './types.js';
export type {
  ConfChange, ConfState, Entry, EntryType, GroupId, HardState, Message, MessageType, NodeId,
  ProposeResult, RandomSource, ReadState, RefusalReason, RequestResult, Role, Snapshot, SnapshotMeta,
} from './types.js';
