// The fault-injecting proxy of the cluster fault tests, against a plain echo server: it forwards,
// cuts in both modes, heals, delays without reordering, and closes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { FaultProxy } from './support/fault-proxy.js';
import { waitUntil } from './support/wait.js';

/** A socket to the proxy that keeps what it receives and whether it was closed. */
class Probe {
  received = Buffer.alloc(0);
  closed = false;
  readonly socket: Socket;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
  }

  async echo(text: string): Promise<string> {
    const want = this.received.length + Buffer.byteLength(text);
    this.socket.write(text);
    assert.ok(await waitUntil(() => this.received.length >= want || this.closed, 5000), 'echo within 5 s');
    return this.received.toString();
  }

  whenClosed(): Promise<boolean> {
    return waitUntil(() => this.closed, 5000);
  }
}

describe('fault proxy', () => {
  let echo: Server;
  let upstreamConnections = 0;
  const probes: Probe[] = [];
  const proxies: FaultProxy[] = [];
  const probe = (port: number) => {
    const p = new Probe(port);
    probes.push(p);
    return p;
  };
  const proxy = async () => {
    const p = await FaultProxy.start({ port: (echo.address() as AddressInfo).port });
    proxies.push(p);
    return p;
  };

  before(async () => {
    echo = createServer((socket) => {
      upstreamConnections++;
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    for (const p of probes) p.socket.destroy();
    await Promise.all(proxies.map((p) => p.close()));
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  test('forwards both ways, one upstream connection per client connection', async () => {
    const fault = await proxy();
    const before = upstreamConnections;
    const [a, b] = [probe(fault.port), probe(fault.port)];
    assert.equal(await a.echo('hello'), 'hello');
    assert.equal(await b.echo('world'), 'world');
    assert.equal(await a.echo(' again'), 'hello again');
    assert.equal(upstreamConnections - before, 2);
    assert.equal(fault.openConnections, 2);
  });

  test('a large transfer arrives whole and in order (backpressure, no loss)', async () => {
    const fault = await proxy();
    const a = probe(fault.port);
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) % 251;
    a.socket.write(payload);
    assert.ok(await waitUntil(() => a.received.length >= payload.length, 10_000));
    assert.ok(a.received.equals(payload));
  });

  test('cut refuse: open connections drop, new ones are reset; heal forwards new connections again', async () => {
    const fault = await proxy();
    const open = probe(fault.port);
    assert.equal(await open.echo('x'), 'x');
    fault.cut({ mode: 'refuse' });
    assert.ok(fault.isCut);
    assert.ok(await open.whenClosed(), 'the open connection was dropped');
    const before = upstreamConnections;
    const refused = probe(fault.port);
    assert.ok(await refused.whenClosed(), 'a new connection is closed at once');
    assert.equal(refused.received.length, 0);
    assert.equal(upstreamConnections, before, 'nothing reached the target');
    fault.heal();
    assert.equal(await probe(fault.port).echo('back'), 'back');
  });

  test('cut blackhole: new connections are accepted and stay silent; heal drops them and forwards new ones', async () => {
    const fault = await proxy();
    const open = probe(fault.port);
    assert.equal(await open.echo('x'), 'x');
    fault.cut({ mode: 'blackhole' });
    assert.ok(await open.whenClosed());
    const before = upstreamConnections;
    const accepted = fault.accepted;
    const silent = probe(fault.port);
    silent.socket.write('into the void');
    assert.ok(await waitUntil(() => fault.accepted > accepted && fault.openConnections === 1, 5000), 'the proxy holds the connection');
    assert.equal(upstreamConnections, before, 'nothing reached the target, so nothing can come back');
    assert.equal(silent.closed, false);
    assert.equal(silent.received.length, 0);
    fault.heal();
    assert.ok(await silent.whenClosed(), 'a silenced connection does not come back to life');
    assert.equal(silent.received.length, 0);
    assert.equal(await probe(fault.port).echo('back'), 'back');
  });

  test('delay keeps chunk order even when it shrinks between chunks', async () => {
    const fault = await proxy();
    const a = probe(fault.port);
    assert.equal(await a.echo('0'), '0');
    const expected = ['0'];
    for (let i = 1; i <= 20; i++) {
      fault.setDelay(i % 2 === 0 ? 0 : 30);
      a.socket.write(`,${i}`);
      expected.push(`,${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    fault.setDelay(0);
    a.socket.write(',end');
    const all = [...expected, ',end'].join('');
    assert.ok(await waitUntil(() => a.received.length >= all.length, 5000));
    assert.equal(a.received.toString(), all);
  });

  test('close drops connections and stops listening', async () => {
    const fault = await FaultProxy.start({ port: (echo.address() as AddressInfo).port });
    const a = probe(fault.port);
    assert.equal(await a.echo('x'), 'x');
    const port = fault.port;
    await fault.close();
    assert.ok(await a.whenClosed());
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    assert.ok(refused, 'nothing listens after close');
  });
});
