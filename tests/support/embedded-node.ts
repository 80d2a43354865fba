// One embedded node per test suite: a fresh data directory, clients that are all closed when
// the suite stops, and a restart on the same directory for durability checks.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startNode } from '../../src/index.js';
import type { NodeHandle, StartNodeOptions } from '../../src/index.js';
import { client, freshDataDir, removeDir } from './node-process.js';

export class EmbeddedNode {
  private readonly clients = new Set<Redis>();

  private constructor(private handle: NodeHandle, readonly dataDir: string, private readonly options: StartNodeOptions) {}

  static async start(options: StartNodeOptions = {}): Promise<EmbeddedNode> {
    const dataDir = freshDataDir();
    return new EmbeddedNode(await startNode({ port: 0, ...options, dataDir }), dataDir, options);
  }

  get port(): number {
    return this.handle.port;
  }

  client(): Redis {
    const redis = client(this.handle.port);
    this.clients.add(redis);
    return redis;
  }

  /** Closes every client and the node (with or without a final snapshot) and starts it again. */
  async restart(options: { readonly snapshot: boolean }): Promise<void> {
    this.disconnectClients();
    await this.handle.close(options);
    this.handle = await startNode({ port: 0, ...this.options, dataDir: this.dataDir });
  }

  async stop(): Promise<void> {
    this.disconnectClients();
    await this.handle.close();
    removeDir(this.dataDir);
  }

  private disconnectClients(): void {
    for (const redis of this.clients) redis.disconnect();
    this.clients.clear();
  }
}

/** The usual suite fixture: a node started before the describe block's tests and stopped after
 * them, with one client; read `node` and `redis` inside the tests. */
export function embeddedNodeForSuite(options: StartNodeOptions = {}): { readonly node: EmbeddedNode; readonly redis: Redis } {
  let node: EmbeddedNode | undefined;
  let redis: Redis | undefined;
  before(async () => {
    node = await EmbeddedNode.start(options);
    redis = node.client();
  });
  after(() => node?.stop());
  return {
    get node() {
      assert.ok(node !== undefined, 'the suite has started');
      return node;
    },
    get redis() {
      assert.ok(redis !== undefined, 'the suite has started');
      return redis;
    },
  };
}
