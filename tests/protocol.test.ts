// The wire protocol with raw sockets: pipelining, chunking, inline commands, protocol errors.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNode } from '../src/index.js';
import type { NodeHandle } from '../src/index.js';
import { freshDataDir, removeDir } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

describe('protocol', () => {
  let node: NodeHandle;
  const dataDir = freshDataDir();

  before(async () => {
    node = await startNode({ port: 0, dataDir });
  });

  after(async () => {
    await node.close();
    removeDir(dataDir);
  });

  test('1000 pipelined commands in one write get 1000 replies in order', async () => {
    const raw = await RawClient.connect(node.port);
    let batch = '';
    let expected = '';
    for (let i = 0; i < 500; i++) {
      batch += command('SET', `p:${i}`, `v${i}`) + command('GET', `p:${i}`);
      expected += `+OK\r\n$${`v${i}`.length}\r\nv${i}\r\n`;
    }
    raw.send(batch);
    assert.equal(await raw.read(expected.length), expected);
    raw.close();
  });

  test('a pipeline of reads behind a write sees exactly the states in between', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send(command('SET', 'o', '1') + command('GET', 'o') + command('INCR', 'o') + command('GET', 'o') + command('DEL', 'o') + command('GET', 'o'));
    const expected = '+OK\r\n$1\r\n1\r\n:2\r\n$1\r\n2\r\n:1\r\n$-1\r\n';
    assert.equal(await raw.read(expected.length), expected);
    raw.close();
  });

  test('commands split at every byte boundary still parse', async () => {
    const raw = await RawClient.connect(node.port);
    const bytes = command('SET', 'split', 'a\r\nb') + command('GET', 'split');
    for (const char of bytes) {
      raw.send(char);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const expected = '+OK\r\n$4\r\na\r\nb\r\n';
    assert.equal(await raw.read(expected.length), expected);
    raw.close();
  });

  test('inline commands, with quotes and escapes', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('SET inline "hello world\\x21\\n"\r\nGET inline\r\n\r\nPING\n');
    assert.equal(await raw.readUntil('+PONG\r\n'), '+OK\r\n$13\r\nhello world!\n\r\n+PONG\r\n');
    raw.send("SET single 'it\\'s'\r\nGET single\r\n");
    assert.equal(await raw.read(14), "+OK\r\n$4\r\nit's\r\n");
    raw.close();
  });

  const protocolErrors: Array<[string, string]> = [
    ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['*1\r\nfoo\r\n', "-ERR Protocol error: expected '$', got 'f'\r\n"],
    ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['*1\r\n$9999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['*1\r\n$536870900\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['SET "unbalanced\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ['SET "a"b\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    [`*1${'1'.repeat(70_000)}`, '-ERR Protocol error: too big mbulk count string\r\n'],
    [`GET ${'x'.repeat(70_000)}`, '-ERR Protocol error: too big inline request\r\n'],
  ];

  for (const [input, reply] of protocolErrors) {
    test(`protocol error ${JSON.stringify(reply.slice(1, -2))} closes only that connection`, async () => {
      const bystander = await RawClient.connect(node.port);
      const raw = await RawClient.connect(node.port);
      raw.send(input);
      assert.equal(await raw.read(reply.length), reply);
      await raw.waitClosed();
      bystander.send(command('PING'));
      assert.equal(await bystander.read(7), '+PONG\r\n');
      bystander.close();
    });
  }

  test('a large value arriving in many chunks is stored intact', async () => {
    const raw = await RawClient.connect(node.port);
    const value = 'z'.repeat(5 * 1024 * 1024);
    const bytes = Buffer.from(command('SET', 'big', value), 'latin1');
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024) raw.send(bytes.subarray(offset, offset + 64 * 1024));
    assert.equal(await raw.read(5), '+OK\r\n');
    raw.send(command('STRLEN', 'big'));
    assert.equal(await raw.read(10), `:${value.length}\r\n`);
    raw.close();
  });

  test('RESP3 replies: maps, doubles as bulk in RESP2, null', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send(command('HSET', 'r3', 'f', 'v') + command('HGETALL', 'r3') + command('GET', 'missing'));
    const resp2 = ':1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$-1\r\n';
    assert.equal(await raw.read(resp2.length), resp2);
    raw.send(command('HELLO', '3'));
    await raw.readUntil('*0\r\n');
    raw.send(command('HGETALL', 'r3') + command('GET', 'missing') + command('SMEMBERS', 'none'));
    const resp3 = '%1\r\n$1\r\nf\r\n$1\r\nv\r\n_\r\n~0\r\n';
    assert.equal(await raw.read(resp3.length), resp3);
    raw.close();
  });
});
