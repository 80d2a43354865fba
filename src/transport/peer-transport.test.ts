import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { sleep, waitUntil } from '../../tests/support/wait.js';
import { encodeFrame, encodeFrames, FrameReader } from './frame.js';
import { Handshake } from './handshake.js';
import { PeerTransport, redialDelayMs } from './peer-transport.js';
import type { PeerTransportOptions } from './peer-transport.js';

const HOST = '127.0.0.1';
const SECRET = 'correct horse battery staple';
const WAIT_MS = 5000;

interface LogLine { level: string; message: string; fields?: Record<string, unknown> }

/** A transport with everything it reports recorded. */
interface TestNode {
  readonly transport: PeerTransport;
  readonly received: { from: number; text: string }[];
  readonly logs: LogLine[];
  readonly events: string[];
}

const open: PeerTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

async function startNode(nodeId: number, overrides: Partial<PeerTransportOptions> = {}): Promise<TestNode> {
  const received: TestNode['received'] = [];
  const logs: LogLine[] = [];
  const events: string[] = [];
  const transport = await PeerTransport.listen({
    nodeId,
    host: HOST,
    port: 0,
    secret: SECRET,
    clusterName: 'test',
    onPayload: (from, payload) => received.push({ from, text: Buffer.from(payload).toString() }),
    onPeerConnected: (peer) => events.push(`connected ${peer}`),
    onPeerDisconnected: (peer) => events.push(`disconnected ${peer}`),
    log: (level, message, fields) => logs.push({ level, message, fields }),
    handshakeTimeoutMs: 500,
    ...overrides,
  });
  open.push(transport);
  return { transport, received, logs, events };
}

/** Tells every node about every other. */
function link(nodes: readonly TestNode[], ids: readonly number[]): void {
  for (const [i, node] of nodes.entries()) {
    for (const [j, other] of nodes.entries()) if (i !== j) node.transport.setPeer(ids[j], HOST, other.transport.port);
  }
}

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  assert.ok(await waitUntil(condition, WAIT_MS, 5), `timed out waiting until ${what}`);
}

const texts = (node: TestNode, from: number): string[] => node.received.filter((r) => r.from === from).map((r) => r.text);

function removeOpen(transport: PeerTransport): void {
  open.splice(open.indexOf(transport), 1);
}

/**
 * A TCP relay to `target`. Frozen, it stops relaying in both directions and keeps every socket
 * open: a peer that vanished without a FIN, as a crashed host or a partition looks.
 */
async function startProxy(target: number): Promise<{ port: number; freeze(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const server: Server = createServer((client) => {
    const upstream = connect({ host: HOST, port: target });
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
      from.on('close', () => {
        if (!frozen) to.destroy();
      });
      from.on('error', () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address !== 'string');
  return {
    port: address.port,
    freeze: () => {
      frozen = true;
    },
    close: async () => {
      // Stop accepting first: a transport redials the moment its relayed connection drops.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await Promise.all([closed, ...[...sockets].map(socketClosed)]);
    },
  };
}

/** A raw socket that completes the handshake as node `nodeId`, for sending what a transport never would. */
async function handshakenSocket(nodeId: number, port: number): Promise<Socket> {
  const socket = connect({ host: HOST, port });
  const handshake = new Handshake({ role: 'dialer', nodeId, secret: SECRET, clusterName: 'test', refusePeer: () => undefined });
  const reader = new FrameReader();
  socket.write(encodeFrame(handshake.hello));
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed during the handshake')));
    socket.on('data', (chunk) => reader.push(chunk, (payload) => {
      const step = handshake.receive(payload);
      if (step.kind === 'continue') socket.write(encodeFrame(step.reply));
      else if (step.kind === 'done') resolve();
      else reject(new Error(step.reason));
    }));
  });
  return socket;
}

/** Reads and discards what `socket` receives (so its end is seen) until it closes. */
function socketClosed(socket: Socket): Promise<void> {
  socket.resume();
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

describe('peer transport', () => {
  test('two nodes exchange payloads both ways over one connection', async () => {
    const nodes = [await startNode(1), await startNode(2)];
    link(nodes, [1, 2]);
    nodes[0].transport.send(2, Buffer.from('one to two'));
    nodes[1].transport.send(1, Buffer.from('two to one'));
    await waitFor('both payloads arrive', () => nodes[0].received.length === 1 && nodes[1].received.length === 1);
    assert.deepEqual(nodes[1].received, [{ from: 1, text: 'one to two' }]);
    assert.deepEqual(nodes[0].received, [{ from: 2, text: 'two to one' }]);
    assert.deepEqual(nodes.map((node) => node.events), [['connected 2'], ['connected 1']]);
    assert.ok(nodes[0].transport.isConnected(2) && nodes[1].transport.isConnected(1));
    assert.equal(nodes[0].transport.stats.framesReceived, 1);
    assert.equal(nodes[1].transport.stats.bytesReceived, 'one to two'.length);
  });

  test('three nodes connect pairwise, each pair on one connection, and keep per-peer order', async () => {
    const ids = [1, 2, 3];
    const nodes = await Promise.all(ids.map((id) => startNode(id)));
    link(nodes, ids);
    for (const [i, node] of nodes.entries()) {
      for (const to of ids) if (to !== ids[i]) for (let n = 0; n < 50; n++) node.transport.send(to, Buffer.from(`${ids[i]}>${to}#${n}`));
    }
    await waitFor('every payload arrives', () => nodes.every((node) => node.received.length === 100));
    for (const [i, node] of nodes.entries()) {
      for (const from of ids) {
        if (from === ids[i]) continue;
        assert.deepEqual(texts(node, from), Array.from({ length: 50 }, (_, n) => `${from}>${ids[i]}#${n}`));
      }
    }
    // Each node dialed only higher ids: 1 dialed 2 and 3, 2 dialed 3, nobody redialed.
    assert.deepEqual(nodes.map((node) => node.transport.stats.reconnects), [0, 0, 0]);
  });

  test('all sends to a peer in one event-loop turn go out in one socket write', async () => {
    const nodes = [await startNode(1), await startNode(2)];
    link(nodes, [1, 2]);
    await waitFor('connected', () => nodes[0].transport.isConnected(2) && nodes[1].transport.isConnected(1));
    const before = nodes[0].transport.stats;
    for (let n = 0; n < 200; n++) nodes[0].transport.send(2, Buffer.from(`batched ${n}`));
    await waitFor('the batch arrives', () => nodes[1].received.length === 200);
    const after = nodes[0].transport.stats;
    assert.equal(after.writes - before.writes, 1);
    assert.equal(after.framesSent - before.framesSent, 200);
    assert.deepEqual(texts(nodes[1], 1), Array.from({ length: 200 }, (_, n) => `batched ${n}`));
  });

  test('payloads sent before the peer is reachable are delivered once it starts', async () => {
    const placeholder = await startNode(2);
    const port = placeholder.transport.port;
    await placeholder.transport.close();
    removeOpen(placeholder.transport);
    const one = await startNode(1);
    one.transport.setPeer(2, HOST, port);
    for (let n = 0; n < 10; n++) one.transport.send(2, Buffer.from(`early ${n}`));
    await waitFor('a redial', () => one.transport.stats.reconnects >= 2);
    const two = await startNode(2, { port });
    two.transport.setPeer(1, HOST, one.transport.port);
    await waitFor('the queued payloads arrive', () => two.received.length === 10);
    assert.deepEqual(texts(two, 1), Array.from({ length: 10 }, (_, n) => `early ${n}`));
    assert.equal(one.logs.filter((line) => line.message.startsWith('peer unreachable')).length, 1, 'one line for the outage, not one per retry');
  });

  test('beyond maxQueuedBytesPerPeer the oldest queued payloads are dropped and counted', async () => {
    const two = await startNode(2);
    const one = await startNode(1, { maxQueuedBytesPerPeer: 20 });
    one.transport.setPeer(2, HOST, two.transport.port);
    for (let n = 0; n < 10; n++) one.transport.send(2, Buffer.from(`queued ${n}`));
    one.transport.send(99, Buffer.from('to nobody'));
    two.transport.setPeer(1, HOST, one.transport.port);
    await waitFor('the newest payloads arrive', () => two.received.length === 2);
    assert.deepEqual(texts(two, 1), ['queued 8', 'queued 9']);
    assert.equal(one.transport.stats.dropped, 9);
  });

  test('a large volume survives socket backpressure, in order', async () => {
    const nodes = [await startNode(1), await startNode(2)];
    link(nodes, [1, 2]);
    const payload = Buffer.alloc(256 * 1024, 'x');
    const count = 128;
    for (let n = 0; n < count; n++) {
      payload.write(String(n).padStart(4, '0'));
      nodes[1].transport.send(1, Buffer.from(payload));
      if (n % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor('32 MiB arrive', () => nodes[0].received.length === count);
    assert.deepEqual(nodes[0].received.map((r) => r.text.slice(0, 4)), Array.from({ length: count }, (_, n) => String(n).padStart(4, '0')));
    assert.equal(nodes[1].transport.stats.dropped, 0);
  });

  test('the dialer reconnects after the peer closes and restarts on the same port', async () => {
    const one = await startNode(1);
    const two = await startNode(2);
    link([one, two], [1, 2]);
    await waitFor('connected', () => one.transport.isConnected(2));
    const port = two.transport.port;
    await two.transport.close();
    removeOpen(two.transport);
    await waitFor('the loss is seen', () => !one.transport.isConnected(2));
    const restarted = await startNode(2, { port });
    restarted.transport.setPeer(1, HOST, one.transport.port);
    await waitFor('reconnected', () => one.transport.isConnected(2) && restarted.transport.isConnected(1));
    one.transport.send(2, Buffer.from('after the restart'));
    restarted.transport.send(1, Buffer.from('back'));
    await waitFor('both ways again', () => restarted.received.length === 1 && one.received.length === 1);
    assert.deepEqual(one.events, ['connected 2', 'disconnected 2', 'connected 2']);
    assert.ok(one.transport.stats.reconnects >= 1);
  });

  test('a restarted lower node with a new transport is accepted, replacing a connection that never closed', async () => {
    const two = await startNode(2);
    const proxy = await startProxy(two.transport.port);
    try {
      const one = await startNode(1);
      one.transport.setPeer(2, HOST, proxy.port);
      two.transport.setPeer(1, HOST, one.transport.port);
      await waitFor('connected through the proxy', () => two.transport.isConnected(1));
      // Node 1 vanishes without its FIN reaching node 2; a new node 1 comes up and dials directly.
      proxy.freeze();
      await one.transport.close();
      removeOpen(one.transport);
      assert.ok(two.transport.isConnected(1), 'node 2 has not noticed');
      const reborn = await startNode(1);
      reborn.transport.setPeer(2, HOST, two.transport.port);
      await waitFor('node 2 takes the new connection', () => two.events.length === 3);
      assert.deepEqual(two.events, ['connected 1', 'disconnected 1', 'connected 1']);
      two.transport.send(1, Buffer.from('to the new node 1'));
      await waitFor('delivered to the new instance', () => reborn.received.length === 1);
      assert.deepEqual(reborn.received, [{ from: 2, text: 'to the new node 1' }]);
    } finally {
      await proxy.close();
    }
  });

  test('removePeer closes the connection on both sides and stops redialing', async () => {
    const one = await startNode(1);
    const two = await startNode(2);
    link([one, two], [1, 2]);
    await waitFor('connected', () => one.transport.isConnected(2) && two.transport.isConnected(1));
    one.transport.removePeer(2);
    assert.equal(one.transport.isConnected(2), false);
    await waitFor('node 2 sees the close', () => !two.transport.isConnected(1));
    one.transport.send(2, Buffer.from('to a removed peer'));
    assert.equal(one.transport.stats.dropped, 1);
    assert.deepEqual(one.events, ['connected 2', 'disconnected 2']);
    // Nothing to wait for: this checks that no redial happens within several backoff periods.
    await sleep(200);
    assert.equal(one.transport.stats.reconnects, 0);
    assert.equal(two.transport.isConnected(1), false);
  });

  test('setPeer with a new address moves the connection there', async () => {
    const one = await startNode(1);
    const two = await startNode(2);
    link([one, two], [1, 2]);
    await waitFor('connected directly', () => one.transport.isConnected(2));
    const proxy = await startProxy(two.transport.port);
    try {
      one.transport.setPeer(2, HOST, proxy.port);
      await waitFor('connected through the proxy', () => one.events.length === 3 && one.transport.isConnected(2));
      one.transport.send(2, Buffer.from('via the proxy'));
      await waitFor('delivered', () => two.received.length === 1);
    } finally {
      await proxy.close();
    }
  });

  test('close leaves no timers, immediates or sockets behind, even while redialing', async () => {
    // libuv releases a closed handle a moment after 'close' is emitted, so handles are awaited;
    // timers and immediates must be gone the moment close() resolves.
    const pending = (kinds: readonly string[]) => process.getActiveResourcesInfo().filter((kind) => kinds.includes(kind));
    const handles = () => pending(['TCPSocketWrap', 'TCPServerWrap', 'TCPWrap']);
    await waitFor('the handles of earlier tests are released', () => handles().length === 0);
    const timersBefore = pending(['Timeout', 'Immediate']);
    const one = await startNode(1);
    const two = await startNode(2);
    link([one, two], [1, 2]);
    one.transport.setPeer(3, HOST, 1);
    await waitFor('connected to 2 and redialing 3', () => one.transport.isConnected(2) && one.transport.stats.reconnects >= 1);
    one.transport.send(2, Buffer.from('in flight at close'));
    await Promise.all([one.transport.close(), two.transport.close()]);
    assert.deepEqual(pending(['Timeout', 'Immediate']), timersBefore);
    await waitFor('every handle is released', () => handles().length === 0);
  });

  test('the redial delay doubles from 20 ms to a 1 s cap, jittered into its upper half', () => {
    assert.deepEqual([0, 1, 2, 5, 6, 30].map((n) => redialDelayMs(n, () => 1)), [20, 40, 80, 640, 1000, 1000]);
    assert.deepEqual([0, 6].map((n) => redialDelayMs(n, () => 0)), [10, 500]);
  });
});

describe('peer transport refusals', () => {
  test('a wrong secret is refused on both sides and logged with the remote address, never the secret', async () => {
    const two = await startNode(2, { secret: 'another secret' });
    const one = await startNode(1);
    link([one, two], [1, 2]);
    await waitFor('both sides refused', () => one.transport.stats.handshakeFailures >= 1 && two.transport.stats.handshakeFailures >= 1);
    const refusal = two.logs.find((line) => line.message.startsWith('peer handshake failed'));
    assert.equal(refusal?.level, 'warn');
    assert.match(String(refusal?.fields?.remote), /^127\.0\.0\.1:\d+$/);
    assert.match(String(refusal?.fields?.reason), /secret/);
    assert.equal(one.transport.isConnected(2) || two.transport.isConnected(1), false);
    assert.deepEqual([...one.events, ...two.events], []);
    for (const line of [...one.logs, ...two.logs]) assert.doesNotMatch(JSON.stringify(line), /horse|another secret/);
  });

  test('nodes of different clusters refuse each other, naming both', async () => {
    const two = await startNode(2, { clusterName: 'blue' });
    const one = await startNode(1, { clusterName: 'green' });
    link([one, two], [1, 2]);
    await waitFor('refused', () => two.transport.stats.handshakeFailures >= 1);
    const refusal = two.logs.find((line) => line.message.startsWith('peer handshake failed'));
    assert.equal(refusal?.fields?.reason, "remote belongs to cluster 'green', not 'blue'");
    assert.equal(two.transport.isConnected(1), false);
  });

  test('the dialer refuses an address that answers as a different node', async () => {
    const three = await startNode(3);
    const one = await startNode(1);
    three.transport.setPeer(1, HOST, one.transport.port);
    one.transport.setPeer(2, HOST, three.transport.port);
    await waitFor('refused', () => one.transport.stats.handshakeFailures >= 1);
    assert.match(String(one.logs.find((line) => line.message.startsWith('peer handshake failed'))?.fields?.reason), /expected node 2/);
  });

  test('a connection that never completes the handshake is closed after the timeout', async () => {
    const two = await startNode(2, { handshakeTimeoutMs: 100 });
    const silent = connect({ host: HOST, port: two.transport.port });
    silent.on('error', () => undefined);
    const localPort = await new Promise((resolve) => silent.once('connect', () => resolve(silent.localPort)));
    await socketClosed(silent);
    const refusal = two.logs.find((line) => line.message.startsWith('peer handshake failed'));
    assert.match(String(refusal?.fields?.reason), /not completed within 100 ms/);
    assert.equal(refusal?.fields?.remote, `${HOST}:${localPort}`);
  });

  test('garbage from an unauthenticated client closes its connection without a large allocation', async () => {
    const two = await startNode(2);
    const client = connect({ host: HOST, port: two.transport.port });
    client.on('error', () => undefined);
    client.write(Buffer.from('*1\r\n$4\r\nPING\r\n'));
    await socketClosed(client);
    assert.match(String(two.logs.find((line) => line.level === 'warn')?.fields?.err), /exceeds the limit of 1024/);
  });

  test('a node with the higher id is refused; a lower one not yet known is let in once it proves the secret', async () => {
    const two = await startNode(2);
    await assert.rejects(handshakenSocket(3, two.transport.port));
    await waitFor('logged', () => two.logs.some((line) => /dials higher ids/.test(String(line.fields?.reason))));
    const one = await startNode(1);
    one.transport.setPeer(2, HOST, two.transport.port);
    await waitFor('node 2 accepted node 1 without knowing it', () => two.transport.isConnected(1));
    two.transport.send(1, Buffer.from('back over the accepted connection'));
    await waitFor('node 1 got the answer', () => texts(one, 2).length === 1);
    assert.deepEqual(texts(one, 2), ['back over the accepted connection']);
  });

  test('a corrupt frame after the handshake closes that connection, and the node keeps serving', async () => {
    const two = await startNode(2);
    two.transport.setPeer(1, HOST, 1);
    const rogue = await handshakenSocket(1, two.transport.port);
    await waitFor('accepted', () => two.transport.isConnected(1));
    const frames = encodeFrames([Buffer.from('fine'), Buffer.from('corrupt')]);
    frames[frames.length - 1] ^= 0xff;
    rogue.write(frames);
    await socketClosed(rogue);
    assert.deepEqual(two.received, [{ from: 1, text: 'fine' }]);
    assert.ok(two.logs.some((line) => line.message.startsWith('peer frame refused') && /checksum/.test(String(line.fields?.err))));
    const one = await startNode(1);
    link([one, two], [1, 2]);
    one.transport.send(2, Buffer.from('still serving'));
    await waitFor('a real node 1 gets through', () => two.received.length === 2);
  });

  test('an exception in onPayload is logged and the connection carries on', async () => {
    let calls = 0;
    const two = await startNode(2, {
      onPayload: () => {
        calls++;
        if (calls === 1) throw new Error('handler bug');
      },
    });
    const one = await startNode(1);
    link([one, two], [1, 2]);
    one.transport.send(2, Buffer.from('a'));
    one.transport.send(2, Buffer.from('b'));
    await waitFor('both handled', () => calls === 2);
    assert.ok(two.logs.some((line) => line.level === 'error' && line.fields?.err === 'handler bug'));
    assert.ok(two.transport.isConnected(1));
  });
});
