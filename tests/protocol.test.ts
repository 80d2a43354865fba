// The wire protocol with raw sockets against an embedded node: pipelining, chunking, inline
// commands, every protocol error (texts taken from redis-server and checked against it when it
// is installed), oversized headers.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startNode } from '../src/index.js';
import type { NodeHandle } from '../src/index.js';
import { freshDataDir, removeDir } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { encodeCommand, encodeCommands } from './support/resp-command.js';
import { REDIS_ABSENT, startRedisServer } from './support/redis-server.js';

interface WireCase {
  readonly name: string;
  readonly input: string;
  /** Everything the server answers before it closes (or before the marker when it stays open). */
  readonly reply: string;
  readonly closes: boolean;
}

const PROTOCOL_ERROR = (what: string) => `-ERR Protocol error: ${what}\r\n`;

/** Inputs after which the server answers a protocol error and closes the connection. */
const CLOSING_CASES: readonly WireCase[] = [
  { name: 'non-numeric multibulk count', input: '*abc\r\n', reply: PROTOCOL_ERROR('invalid multibulk length'), closes: true },
  { name: 'empty multibulk count', input: '*\r\n', reply: PROTOCOL_ERROR('invalid multibulk length'), closes: true },
  { name: 'space in multibulk count', input: '* 1\r\n', reply: PROTOCOL_ERROR('invalid multibulk length'), closes: true },
  { name: 'plus sign in multibulk count', input: '*+1\r\n$4\r\nPING\r\n', reply: PROTOCOL_ERROR('invalid multibulk length'), closes: true },
  { name: 'leading zero in multibulk count', input: '*01\r\n$4\r\nPING\r\n', reply: PROTOCOL_ERROR('invalid multibulk length'), closes: true },
  { name: 'multibulk count above INT_MAX', input: '*2147483648\r\n', reply: PROTOCOL_ERROR('invalid multibulk length'), closes: true },
  { name: 'multibulk count of 3e9', input: '*3000000000\r\n', reply: PROTOCOL_ERROR('invalid multibulk length'), closes: true },
  { name: 'multibulk count line over 64 KiB', input: `*1${'1'.repeat(70_000)}`, reply: PROTOCOL_ERROR('too big mbulk count string'), closes: true },
  { name: 'no $ where a bulk is expected', input: '*1\r\nfoo\r\n', reply: PROTOCOL_ERROR("expected '$', got 'f'"), closes: true },
  { name: 'a * inside a multibulk', input: '*2\r\n$1\r\na\r\n*1\r\n', reply: PROTOCOL_ERROR("expected '$', got '*'"), closes: true },
  { name: 'a huge but legal count, then not a bulk', input: '*1048577\r\nPING\r\n', reply: PROTOCOL_ERROR("expected '$', got 'P'"), closes: true },
  { name: 'INT_MAX count, then not a bulk', input: '*2147483647\r\nPING\r\n', reply: PROTOCOL_ERROR("expected '$', got 'P'"), closes: true },
  { name: 'negative bulk length', input: '*1\r\n$-5\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'bulk length -1 in a request', input: '*1\r\n$-1\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'empty bulk length', input: '*1\r\n$\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'non-numeric bulk length', input: '*1\r\n$abc\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'plus sign in bulk length', input: '*1\r\n$+4\r\nPING\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'leading zero in bulk length', input: '*1\r\n$04\r\nPING\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'trailing space in bulk length', input: '*1\r\n$4 \r\nPING\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'bulk length line ended by LF alone', input: '*1\r\n$4\nPING\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'bulk length of 1e10', input: '*1\r\n$9999999999\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'bulk length over 512 MB', input: '*1\r\n$536870913\r\n', reply: PROTOCOL_ERROR('invalid bulk length'), closes: true },
  { name: 'bulk length line over 64 KiB', input: `*1\r\n$${'1'.repeat(70_000)}`, reply: PROTOCOL_ERROR('too big bulk count string'), closes: true },
  { name: 'inline request over 64 KiB', input: `GET ${'x'.repeat(70_000)}`, reply: PROTOCOL_ERROR('too big inline request'), closes: true },
  { name: 'unterminated double quote', input: 'SET "unbalanced\r\n', reply: PROTOCOL_ERROR('unbalanced quotes in request'), closes: true },
  { name: 'closing double quote followed by a letter', input: 'SET "a"b\r\n', reply: PROTOCOL_ERROR('unbalanced quotes in request'), closes: true },
  { name: 'closing single quote followed by a letter', input: "SET 'a'b\r\n", reply: PROTOCOL_ERROR('unbalanced quotes in request'), closes: true },
  { name: 'unterminated single quote', input: "SET 'a\r\n", reply: PROTOCOL_ERROR('unbalanced quotes in request'), closes: true },
  { name: 'valid commands before the error are answered, those after are not run', input: 'SET pe:1 a\r\n*1\r\nfoo\r\nSET pe:2 b\r\n', reply: `+OK\r\n${PROTOCOL_ERROR("expected '$', got 'f'")}`, closes: true },
];

/** Inputs that are not errors (or only command errors): the connection stays open. */
const OPEN_CASES: readonly WireCase[] = [
  { name: 'a null multibulk is skipped', input: '*-1\r\n', reply: '', closes: false },
  { name: 'an empty multibulk is skipped', input: '*0\r\n', reply: '', closes: false },
  { name: 'blank inline lines are skipped', input: '   \r\n\r\n\r\n', reply: '', closes: false },
  { name: 'an inline $3 is a command name', input: '$3\r\nfoo\r\n', reply: "-ERR unknown command '$3', with args beginning with: \r\n-ERR unknown command 'foo', with args beginning with: \r\n", closes: false },
  { name: 'an inline error line is a command name', input: '-ERR x\r\n', reply: "-ERR unknown command '-ERR', with args beginning with: 'x' \r\n", closes: false },
  { name: 'an empty command name', input: '*1\r\n$0\r\n\r\n', reply: "-ERR unknown command '', with args beginning with: \r\n", closes: false },
  { name: 'the two bytes after a bulk are skipped unread', input: '*1\r\n$4\r\nPINGXY', reply: '+PONG\r\n', closes: false },
  { name: 'a line ended by LF alone is an inline command', input: 'ECHO lf\n', reply: '$2\r\nlf\r\n', closes: false },
  { name: 'inline hex, tab, newline, quote and backslash escapes', input: 'ECHO "\\x41\\t\\n\\"\\\\"\r\n', reply: '$5\r\nA\t\n"\\\r\n', closes: false },
  { name: 'an invalid hex escape is literal', input: 'ECHO "\\xZZ"\r\n', reply: '$3\r\nxZZ\r\n', closes: false },
  { name: 'single quotes with an escaped quote', input: "ECHO 'it\\'s'\r\n", reply: "$4\r\nit's\r\n", closes: false },
  { name: 'empty quotes are an empty argument', input: 'ECHO ""\r\n', reply: '$0\r\n\r\n', closes: false },
  { name: 'runs of spaces and tabs separate arguments', input: 'ECHO   a\t\tb  \r\n', reply: "-ERR wrong number of arguments for 'echo' command\r\n", closes: false },
  { name: 'a CR inside an inline line separates arguments', input: 'ECHO a\rb\r\n', reply: "-ERR wrong number of arguments for 'echo' command\r\n", closes: false },
  { name: 'quoted arguments followed by spaces', input: 'ECHO "a"  \r\n', reply: '$1\r\na\r\n', closes: false },
];

function describeInput(input: string): string {
  return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input);
}

const END_MARKER = 'end-of-case';
const END_REPLY = `$${END_MARKER.length}\r\n${END_MARKER}\r\n`;

/** Sends the case (then an ECHO marker when the connection should stay open) and returns what came back. */
async function runCase(port: number, wire: WireCase): Promise<{ reply: string; closed: boolean }> {
  const raw = await RawClient.connect(port);
  raw.send(wire.input);
  if (wire.closes) {
    await raw.waitClosed();
    return { reply: raw.pending.toString('latin1'), closed: true };
  }
  raw.send(`ECHO ${END_MARKER}\r\n`);
  const text = await raw.readUntil(END_REPLY);
  raw.close();
  return { reply: text.slice(0, -END_REPLY.length), closed: false };
}

describe('protocol', () => {
  let node: NodeHandle;
  const dataDir = freshDataDir('shoal-protocol');

  before(async () => {
    node = await startNode({ port: 0, dataDir });
  });

  after(async () => {
    await node.close();
    removeDir(dataDir);
  });

  test('1000 pipelined commands in one write get 1000 replies, in order', async () => {
    const raw = await RawClient.connect(node.port);
    const commands: string[][] = [];
    let expected = '';
    for (let i = 0; i < 500; i++) {
      commands.push(['SET', `p:${i}`, `v${i}`], ['GET', `p:${i}`]);
      expected += `+OK\r\n$${`v${i}`.length}\r\nv${i}\r\n`;
    }
    raw.send(encodeCommands(commands));
    const replies = await raw.readReplies(1000);
    assert.equal(replies.join(''), expected);
    raw.close();
  });

  test('1000 pipelined INCRs count 1..1000 in order; errors in a pipeline stay in their place', async () => {
    const raw = await RawClient.connect(node.port);
    const commands: string[][] = Array.from({ length: 1000 }, (_, i) => (i % 100 === 99 ? ['INCR'] : ['INCR', 'p:counter']));
    raw.send(encodeCommands(commands));
    const replies = await raw.readReplies(1000);
    let count = 0;
    replies.forEach((reply, i) => {
      if (i % 100 === 99) assert.equal(reply, "-ERR wrong number of arguments for 'incr' command\r\n");
      else assert.equal(reply, `:${++count}\r\n`);
    });
    raw.close();
  });

  test('pipelined reads between writes see exactly the states in between', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send(encodeCommands([['SET', 'o', '1'], ['GET', 'o'], ['INCR', 'o'], ['GET', 'o'], ['DEL', 'o'], ['GET', 'o'], ['APPEND', 'o', 'x'], ['GET', 'o']]));
    assert.deepEqual(await raw.readReplies(8), ['+OK\r\n', '$1\r\n1\r\n', ':2\r\n', '$1\r\n2\r\n', ':1\r\n', '$-1\r\n', ':1\r\n', '$1\r\nx\r\n']);
    raw.close();
  });

  test('commands split at every byte boundary still parse (multibulk and inline)', async () => {
    const raw = await RawClient.connect(node.port);
    const bytes = Buffer.concat([encodeCommand(['SET', 'split', 'a\r\nb']), encodeCommand(['GET', 'split']), Buffer.from('ECHO "x y"\r\n')]);
    for (let i = 0; i < bytes.length; i++) {
      raw.send(bytes.subarray(i, i + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await raw.readReplies(3), ['+OK\r\n', '$4\r\na\r\nb\r\n', '$3\r\nx y\r\n']);
    raw.close();
  });

  test('any chunking of a pipeline gives the same replies as one write', async () => {
    const commands: string[][] = [['SET', 'ch:1', 'a'.repeat(300)], ['GET', 'ch:1'], ['MSET', 'ch:2', '', 'ch:3', '\r\n'], ['MGET', 'ch:1', 'ch:2', 'ch:3', 'ch:4'], ['STRLEN', 'ch:1'], ['NOSUCH']];
    const bytes = Buffer.concat([encodeCommands(commands), Buffer.from('PING inline\r\n')]);
    const reference = await RawClient.connect(node.port);
    reference.send(bytes);
    const expected = await reference.readReplies(commands.length + 1);
    reference.close();
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
      const raw = await RawClient.connect(node.port);
      let from = 0;
      for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
        raw.send(bytes.subarray(from, cut));
        from = cut;
        await new Promise((resolve) => setImmediate(resolve));
      }
      raw.send(bytes.subarray(from));
      assert.deepEqual(await raw.readReplies(expected.length), expected);
      raw.close();
    }), { numRuns: 40 });
  });

  test('inline commands with quotes and escapes are stored byte for byte', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('SET inline "hello world\\x21\\n"\r\nGET inline\r\n\r\nPING\n');
    assert.deepEqual(await raw.readReplies(3), ['+OK\r\n', '$13\r\nhello world!\n\r\n', '+PONG\r\n']);
    raw.send("SET single 'it\\'s \"quoted\"'\r\nGET single\r\n");
    assert.deepEqual(await raw.readReplies(2), ['+OK\r\n', '$13\r\nit\'s "quoted"\r\n']);
    raw.send('SET "sp ace" "\\xff\\x00"\r\nSTRLEN "sp ace"\r\n');
    assert.deepEqual(await raw.readReplies(2), ['+OK\r\n', ':2\r\n']);
    raw.close();
  });

  for (const wire of CLOSING_CASES) {
    test(`protocol error: ${wire.name} → ${JSON.stringify(wire.reply.slice(0, -2))}, only that connection closes`, async () => {
      const bystander = await RawClient.connect(node.port);
      assert.equal(await bystander.call('SET', 'bystander', 'before'), '+OK\r\n');
      const result = await runCase(node.port, wire);
      assert.equal(result.reply, wire.reply, describeInput(wire.input));
      assert.equal(await bystander.call('GET', 'bystander'), '$6\r\nbefore\r\n');
      assert.equal(await bystander.call('PING'), '+PONG\r\n');
      bystander.close();
    });
  }

  test('a protocol error mid-pipeline runs the commands before it and none after', async () => {
    await runCase(node.port, CLOSING_CASES[CLOSING_CASES.length - 1]);
    const raw = await RawClient.connect(node.port);
    assert.equal(await raw.call('EXISTS', 'pe:1', 'pe:2'), ':1\r\n');
    assert.equal(await raw.call('GET', 'pe:1'), '$1\r\na\r\n');
    raw.close();
  });

  for (const wire of OPEN_CASES) {
    test(`no protocol error: ${wire.name}`, async () => {
      const result = await runCase(node.port, wire);
      assert.equal(result.reply, wire.reply, describeInput(wire.input));
    });
  }

  test('bulk lengths Redis accepts but V8 cannot hold are refused up front (documented limit)', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('*1\r\n$536870900\r\n');
    assert.equal(await raw.readUntil('\r\n'), PROTOCOL_ERROR('invalid bulk length'));
    await raw.waitClosed();
  });

  test('a 5 MiB value arriving in 64 KiB chunks is stored intact', async () => {
    const raw = await RawClient.connect(node.port);
    const value = Buffer.alloc(5 * 1024 * 1024, 0x7a);
    value[12345] = 0;
    const bytes = encodeCommand(['SET', 'big', value]);
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024) raw.send(bytes.subarray(offset, offset + 64 * 1024));
    assert.equal((await raw.readReply()).toString(), '+OK\r\n');
    assert.equal(await raw.call('STRLEN', 'big'), `:${value.length}\r\n`);
    raw.sendCommand('GET', 'big');
    const reply = await raw.readReply(20_000);
    assert.ok(reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2).equals(value));
    raw.close();
  });
});

describe('protocol table against redis-server', () => {
  test('redis-server gives the same replies and closes the same connections as the tables say', async (t) => {
    const redis = await startRedisServer();
    if (redis === null) return t.skip(REDIS_ABSENT);
    try {
      for (const wire of [...CLOSING_CASES, ...OPEN_CASES]) {
        const result = await runCase(redis.port, wire);
        assert.deepEqual(result, { reply: wire.reply, closed: wire.closes }, `${wire.name}: ${describeInput(wire.input)}`);
      }
    } finally {
      await redis.stop();
    }
  });
});
