// The simulated cluster bus between node processes, shaped like the real transport: one
// connection per pair of nodes once the lower id knows the higher's address (it dials; the
// higher accepts), payloads delivered in order on it after a delay, payloads for a known peer
// queued while its connection is down (bounded), nothing delivered across a
// connection that broke (a crash, a partition, a close) — the peers are told it broke, and it
// comes back after a redial delay once it can.

import type { HostTransport } from '../../src/cluster/host-environment.js';
import type { NodeId } from '../../src/raft/index.js';
import type { PeerTransportOptions } from '../../src/transport/peer-transport.js';
import type { EventQueue } from '../event-queue.js';
import type { Prng } from '../prng.js';
import type { SimProcess } from './sim-process.js';

export interface BusWeather {
  delayMinMs: number;
  delayMaxMs: number;
}

/** Payloads kept per peer while its connection is down (the real transport bounds bytes). */
const MAX_QUEUED_PAYLOADS = 1000;

interface Link {
  /** Bumped whenever the connection breaks: what was in flight on the old one is lost. */
  epoch: number;
  connected: boolean;
  dialing: boolean;
  /** When the last payload each way arrives: later ones never overtake it. */
  readonly lastArrivalMs: Map<NodeId, number>;
  /** Payloads waiting for the connection, by receiver. */
  readonly queued: Map<NodeId, Uint8Array[]>;
}

class Endpoint implements HostTransport {
  readonly known = new Set<NodeId>();

  constructor(readonly bus: SimBus, readonly process: SimProcess, readonly options: PeerTransportOptions) {}

  get port(): number {
    return this.options.port;
  }

  setPeer(id: number): void {
    this.known.add(id);
    this.bus.reconsider(this.options.nodeId, id);
  }

  removePeer(id: number): void {
    this.known.delete(id);
    this.bus.forget(this.options.nodeId, id);
  }

  send(to: number, payload: Uint8Array): void {
    this.bus.send(this.options.nodeId, to, payload);
  }

  isConnected(id: number): boolean {
    return this.bus.isConnected(this.options.nodeId, id);
  }

  close(): Promise<void> {
    this.bus.detach(this);
    return new Promise((resolve) => this.process.run(resolve));
  }
}

export class SimBus {
  weather: BusWeather = { delayMinMs: 0.1, delayMaxMs: 1 };
  private readonly endpoints = new Map<NodeId, Endpoint>();
  private readonly links = new Map<string, Link>();
  /** Pairs a partition separates (either direction cut breaks a TCP connection). */
  private readonly cut = new Set<string>();
  /** Pairs whose connection is being closed by a removePeer (see forget). */
  private readonly forgotten = new Set<string>();
  delivered = 0;

  constructor(private readonly queue: EventQueue, private readonly prng: Prng) {}

  listen(process: SimProcess, options: PeerTransportOptions): Promise<HostTransport> {
    const endpoint = new Endpoint(this, process, options);
    this.endpoints.set(options.nodeId, endpoint);
    for (const other of this.endpoints.keys()) if (other !== options.nodeId) this.reconsider(options.nodeId, other);
    return new Promise((resolve) => process.run(() => resolve(endpoint)));
  }

  /** A process died: its side of every connection is gone (peers see a reset). */
  drop(id: NodeId): void {
    const endpoint = this.endpoints.get(id);
    if (endpoint !== undefined) this.detach(endpoint);
  }

  detach(endpoint: Endpoint): void {
    const id = endpoint.options.nodeId;
    if (this.endpoints.get(id) !== endpoint) return;
    this.endpoints.delete(id);
    for (const other of this.endpoints.keys()) {
      // What the process had queued for its peers dies with it.
      this.links.get(pairName(id, other))?.queued.delete(other);
      this.reconsider(id, other);
    }
  }

  /** `from` forgot `to`: what it queued for it is dropped, and their connection closes. */
  forget(from: NodeId, to: NodeId): void {
    const link = this.links.get(pairName(from, to));
    link?.queued.delete(to);
    if (link?.connected === true) {
      // As removePeer closes the socket: the connection breaks, and comes back only if it can.
      this.forgotten.add(pairName(from, to));
      this.reconsider(from, to);
      this.forgotten.delete(pairName(from, to));
      this.reconsider(from, to);
    }
  }

  separate(a: NodeId, b: NodeId): void {
    this.cut.add(pairName(a, b));
    this.reconsider(a, b);
  }

  isolate(id: NodeId, others: readonly NodeId[]): void {
    for (const other of others) if (other !== id) this.separate(id, other);
  }

  heal(): void {
    const pairs = [...this.cut];
    this.cut.clear();
    for (const pair of pairs) {
      const [a, b] = pair.split('-').map(Number);
      this.reconsider(a, b);
    }
  }

  /** Who knows whom, which links are up, what is cut: for failure reports. */
  describe(): string {
    const known = [...this.endpoints].map(([id, endpoint]) => `${id} knows ${[...endpoint.known].join(',')}`).join('; ');
    const links = [...this.links].map(([name, link]) => `${name} ${link.connected ? 'up' : 'down'}`).join(', ');
    return `${known}; links ${links}; cut ${[...this.cut].join(',') || 'none'}`;
  }

  isConnected(a: NodeId, b: NodeId): boolean {
    return this.links.get(pairName(a, b))?.connected ?? false;
  }

  private canConnect(a: NodeId, b: NodeId): boolean {
    const ea = this.endpoints.get(a);
    const eb = this.endpoints.get(b);
    if (ea === undefined || eb === undefined || this.cut.has(pairName(a, b)) || this.forgotten.has(pairName(a, b))) return false;
    // The lower id dials (it needs the address); the higher accepts any that proves the secret.
    return a < b ? ea.known.has(b) : eb.known.has(a);
  }

  private link(a: NodeId, b: NodeId): Link {
    const name = pairName(a, b);
    let link = this.links.get(name);
    if (link === undefined) {
      link = { epoch: 0, connected: false, dialing: false, lastArrivalMs: new Map(), queued: new Map() };
      this.links.set(name, link);
    }
    return link;
  }

  /** Breaks a connection that can no longer be, or dials one that now can. */
  reconsider(a: NodeId, b: NodeId): void {
    const link = this.link(a, b);
    if (!this.canConnect(a, b)) {
      if (!link.connected) return;
      link.connected = false;
      link.epoch++;
      link.lastArrivalMs.clear();
      for (const [self, peer] of [[a, b], [b, a]]) {
        const endpoint = this.endpoints.get(self);
        endpoint?.process.run(() => endpoint.options.onPeerDisconnected?.(peer));
      }
      return;
    }
    if (link.connected || link.dialing) return;
    link.dialing = true;
    // A redial with backoff and a handshake: a few milliseconds.
    this.queue.after(2 + this.prng.next() * 20, () => {
      link.dialing = false;
      if (link.connected || !this.canConnect(a, b)) return;
      link.connected = true;
      link.epoch++;
      for (const [self, peer] of [[a, b], [b, a]]) {
        const endpoint = this.endpoints.get(self);
        endpoint?.process.run(() => endpoint.options.onPeerConnected?.(peer));
      }
      for (const [to, payloads] of link.queued) {
        link.queued.delete(to);
        for (const payload of payloads) this.transmit(link, to === a ? b : a, to, payload);
      }
    });
  }

  send(from: NodeId, to: NodeId, payload: Uint8Array): void {
    const link = this.link(from, to);
    // A peer it neither knows nor is connected to: the real transport drops the payload.
    if (this.endpoints.get(from)?.known.has(to) !== true && !link.connected) return;
    const copy = Uint8Array.from(payload);
    if (!link.connected) {
      const queue = link.queued.get(to) ?? [];
      link.queued.set(to, queue);
      queue.push(copy);
      if (queue.length > MAX_QUEUED_PAYLOADS) queue.shift();
      return;
    }
    this.transmit(link, from, to, copy);
  }

  private transmit(link: Link, from: NodeId, to: NodeId, copy: Uint8Array): void {
    const epoch = link.epoch;
    const { delayMinMs, delayMaxMs } = this.weather;
    const arrival = Math.max(link.lastArrivalMs.get(to) ?? 0, this.queue.nowMs + delayMinMs + this.prng.next() * (delayMaxMs - delayMinMs));
    link.lastArrivalMs.set(to, arrival);
    this.queue.at(arrival, () => {
      const target = this.endpoints.get(to);
      if (link.epoch !== epoch || target === undefined) return;
      this.delivered++;
      target.process.run(() => target.options.onPayload(from, copy));
    });
  }
}

function pairName(a: NodeId, b: NodeId): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
