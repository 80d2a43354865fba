// What a host needs from the world outside it: clocks and timers, the file system, the peer
// network and the data directory's lock. A node gets the process's own; the simulator passes simulated ones, so the
// real host code (recovery, groups, batching) runs under its faults.

import { lockDataDir } from '../storage/data-dir-lock.js';
import { nodeFileSystem } from '../storage/file-system.js';
import type { FileSystem } from '../storage/file-system.js';
import { PeerTransport } from '../transport/peer-transport.js';
import type { PeerTransportOptions, TransportStats } from '../transport/peer-transport.js';
import { processScheduler } from './scheduler.js';
import type { Scheduler } from './scheduler.js';

/** The part of the peer transport the host uses. */
export interface HostTransport {
  readonly port: number;
  setPeer(id: number, host: string, port: number): void;
  /** Closes the peer's connection and drops what was queued for it. */
  removePeer(id: number): void;
  send(to: number, payload: Uint8Array): void;
  isConnected(id: number): boolean;
  close(): Promise<void>;
  /** Counters since start (INFO raft); the simulator's bus keeps none. */
  readonly stats?: TransportStats;
}

export interface HostEnvironment {
  readonly scheduler: Scheduler;
  /** Where the write-ahead log and the snapshots live. */
  readonly fs: FileSystem;
  readonly listen: (options: PeerTransportOptions) => Promise<HostTransport>;
  /** Takes the data directory for this process; resolves to its release. */
  readonly lockDataDir: (dir: string) => Promise<() => Promise<void>>;
}

export const processEnvironment: HostEnvironment = {
  scheduler: processScheduler,
  fs: nodeFileSystem,
  listen: (options) => PeerTransport.listen(options),
  lockDataDir,
};
