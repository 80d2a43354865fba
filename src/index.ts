// The public embedding API: start a Shoal node inside this Node.js process.
//
//   import { startNode } from 'shoal';
//   const node = await startNode({ port: 0, dataDir: '/tmp/shoal' });
//   ... connect any Redis client to node.port ...
//   await node.close();

import { runNode } from './node.js';
import type { NodeHandle } from './node.js';
import { configWith } from './server/config.js';
import type { NodeConfig } from './server/config.js';

export type { NodeHandle } from './node.js';
export type { NodeConfig } from './server/config.js';

export type StartNodeOptions = Partial<NodeConfig>;

/** Starts a node; `port: 0` picks a free port (the handle says which). Logs at warn by default. */
export function startNode(options: StartNodeOptions = {}): Promise<NodeHandle> {
  return runNode(configWith({ logLevel: 'warn', ...options }));
}
