// The cluster map's rules: members come and go through its entries, and a removed id is retired.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorReply, OK } from '../protocol/values.js';
import { ClusterMap, MapCommand } from './cluster-map.js';

function applyAll(map: ClusterMap, commands: readonly string[][]): unknown[] {
  return commands.map((args) => map.apply(map.appliedIndex + 1, { kind: 'command', stampMs: 0, args }));
}

test('a removed node id is never given out again, also after a snapshot round trip', () => {
  const map = new ClusterMap();
  applyAll(map, [MapCommand.addNode(1, 'h:1'), MapCommand.addNode(2, 'h:2'), MapCommand.removeNode(2)]);
  const copy = new ClusterMap();
  const { index, chunks } = map.snapshot();
  copy.restore(index, Buffer.concat(chunks));
  for (const replica of [map, copy]) {
    const [again] = applyAll(replica, [MapCommand.addNode(2, 'h:2')]);
    assert.ok(again instanceof ErrorReply && /removed from this cluster/.test(again.message), String(again));
    assert.deepEqual(replica.nodes.map((node) => node.id), [1]);
    assert.equal(applyAll(replica, [MapCommand.addNode(3, 'h:3')])[0], OK);
  }
});

test('a snapshot from before ids were retired still restores', () => {
  const map = new ClusterMap();
  map.restore(5, Buffer.from(JSON.stringify({ epoch: 2, nodes: [{ id: 1, bus: 'h:1', resp: '' }] })));
  assert.deepEqual(map.nodes.map((node) => node.id), [1]);
  assert.equal(applyAll(map, [MapCommand.addNode(2, 'h:2')])[0], OK);
});
