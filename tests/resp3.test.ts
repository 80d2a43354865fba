// RESP3 after HELLO 3, over raw sockets against a spawned node: the exact bytes of the RESP3
// types (null, map, set, double, verbatim string), and for the probes whose shape does not
// change with the protocol, the rule that the RESP3 reply down-converted is the RESP2 reply.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { decodeReply, show } from './support/resp-reply.js';
import type { Reply } from './support/resp-reply.js';

/** What a RESP2 client gets for the same data (Redis's conversion rules in networking.c). */
function downConvert(reply: Reply): Reply {
  switch (reply.kind) {
    case 'map':
    case 'attribute':
      return { kind: 'array', items: reply.entries.flatMap(([key, value]) => [downConvert(key), downConvert(value)]) };
    case 'set':
    case 'push':
    case 'array':
      return { kind: 'array', items: reply.items.map(downConvert) };
    case 'double':
      return { kind: 'bulk', value: Buffer.from(reply.value, 'latin1') };
    case 'verbatim':
      return { kind: 'bulk', value: reply.value };
    case 'boolean':
      return { kind: 'integer', value: reply.value ? 1n : 0n };
    case 'bignum':
      return { kind: 'bulk', value: Buffer.from(reply.value, 'latin1') };
    default:
      return reply;
  }
}

async function connect(port: number, protocol: 2 | 3): Promise<RawClient> {
  const raw = await RawClient.connect(port);
  if (protocol === 3) {
    raw.sendCommand('HELLO', '3');
    assert.equal((await raw.readReply())[0], 0x25, 'HELLO 3 answers a map');
  }
  return raw;
}

describe('RESP3', () => {
  let node: NodeProcess;
  let resp2: RawClient;
  let resp3: RawClient;

  before(async () => {
    node = await startNodeProcess();
    resp2 = await connect(node.port, 2);
    resp3 = await connect(node.port, 3);
  });

  after(async () => {
    resp2.close();
    resp3.close();
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('nulls are "_" in RESP3 and "$-1" (or "*-1") in RESP2', async () => {
    await resp3.call('DEL', 'n:key', 'n:list');
    const probes: string[][] = [
      ['GET', 'n:key'], ['GETDEL', 'n:key'], ['GETEX', 'n:key'], ['GETSET', 'n:key', 'v'], ['SET', 'n:key', 'w', 'NX', 'GET'],
      ['SET', 'n:other', 'v', 'XX'], ['CLIENT', 'GETNAME'], ['LPOP', 'n:list'], ['RPOP', 'n:list', '2'], ['HGET', 'n:hash', 'f'],
    ];
    for (const probe of probes) {
      await resp3.call('DEL', 'n:key');
      assert.equal(await resp3.call(...probe), '_\r\n', probe.join(' '));
      await resp2.call('DEL', 'n:key');
      assert.match(await resp2.call(...probe), /^(\$-1|\*-1)\r\n$/, probe.join(' '));
    }
    assert.equal(await resp3.call('MGET', 'n:none', 'n:none'), '*2\r\n_\r\n_\r\n');
    assert.equal(await resp2.call('MGET', 'n:none', 'n:none'), '*2\r\n$-1\r\n$-1\r\n');
    assert.equal(await resp3.call('COMMAND', 'INFO', 'nosuchcommand'), '*1\r\n_\r\n');
    await resp3.call('FLUSHALL');
    assert.equal(await resp3.call('RANDOMKEY'), '_\r\n');
  });

  test('maps: HGETALL, CONFIG GET and HELLO; empty maps are "%0"', async () => {
    await resp3.call('HSET', 'm:h', 'f1', 'v1', 'f2', 'v2');
    assert.equal(await resp3.call('HGETALL', 'm:h'), '%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n');
    assert.equal(await resp2.call('HGETALL', 'm:h'), '*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n');
    assert.equal(await resp3.call('HGETALL', 'm:none'), '%0\r\n');
    assert.equal(await resp2.call('HGETALL', 'm:none'), '*0\r\n');
    assert.equal(await resp3.call('CONFIG', 'GET', 'maxclients'), '%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n');
    assert.equal(await resp2.call('CONFIG', 'GET', 'maxclients'), '*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n');
    assert.equal(await resp3.call('CONFIG', 'GET', 'nosuchsetting'), '%0\r\n');
    assert.equal(await resp3.call('CONFIG', 'GET', 'maxclients', 'appendfsync'), '%2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n$11\r\nappendfsync\r\n$6\r\nalways\r\n');
  });

  test('sets: SMEMBERS and set algebra are "~" sets; COMMAND INFO flags, categories, tips and key specs are sets', async () => {
    await resp3.call('SADD', 's:a', 'x');
    assert.equal(await resp3.call('SMEMBERS', 's:a'), '~1\r\n$1\r\nx\r\n');
    assert.equal(await resp2.call('SMEMBERS', 's:a'), '*1\r\n$1\r\nx\r\n');
    assert.equal(await resp3.call('SMEMBERS', 's:none'), '~0\r\n');
    assert.equal(await resp3.call('SINTER', 's:a', 's:a'), '~1\r\n$1\r\nx\r\n');
    const info = await resp3.call('COMMAND', 'INFO', 'get');
    // name, arity, flags (set), first, last, step, ACL categories (set), tips (set), key specs (set),
    // subcommands (a set when empty, as redis-server sends it)
    assert.ok(info.startsWith('*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%'), JSON.stringify(info));
    assert.ok(info.endsWith('\r\n~0\r\n'), `no subcommands is an empty set: ${JSON.stringify(info.slice(-40))}`);
  });

  test('doubles: scores are "," doubles in RESP3 (inf included) and bulk strings in RESP2', async () => {
    await resp3.call('ZADD', 'd:z', '1.5', 'a', 'inf', 'b', '-2.25', 'c');
    assert.equal(await resp3.call('ZSCORE', 'd:z', 'a'), ',1.5\r\n');
    assert.equal(await resp2.call('ZSCORE', 'd:z', 'a'), '$3\r\n1.5\r\n');
    assert.equal(await resp3.call('ZSCORE', 'd:z', 'b'), ',inf\r\n');
    assert.equal(await resp2.call('ZSCORE', 'd:z', 'b'), '$3\r\ninf\r\n');
    assert.equal(await resp3.call('ZSCORE', 'd:z', 'none'), '_\r\n');
    assert.equal(await resp3.call('ZINCRBY', 'd:z', '1', 'a'), ',2.5\r\n');
    assert.equal(await resp3.call('ZRANGE', 'd:z', '0', '1', 'WITHSCORES'), '*2\r\n*2\r\n$1\r\nc\r\n,-2.25\r\n*2\r\n$1\r\na\r\n,2.5\r\n');
    assert.equal(await resp2.call('ZRANGE', 'd:z', '0', '1', 'WITHSCORES'), '*4\r\n$1\r\nc\r\n$5\r\n-2.25\r\n$1\r\na\r\n$3\r\n2.5\r\n');
    // INCRBYFLOAT's reply is the stored string, a bulk string in both protocols.
    assert.equal(await resp3.call('INCRBYFLOAT', 'd:f', '1.5'), '$3\r\n1.5\r\n');
  });

  test('verbatim strings: INFO, CLIENT INFO and CLIENT LIST are "=" txt in RESP3, bulk in RESP2', async () => {
    for (const probe of [['INFO', 'server'], ['CLIENT', 'INFO'], ['CLIENT', 'LIST']]) {
      const reply = decodeReply(Buffer.from(await resp3.call(...probe), 'latin1'))?.reply;
      assert.ok(reply !== undefined && reply.kind === 'verbatim' && reply.format === 'txt', `${probe.join(' ')}: ${reply === undefined ? '' : show(reply)}`);
      assert.match(await resp2.call(...probe), /^\$\d+\r\n/);
    }
  });

  test('scalars are the same bytes in both protocols: status, errors, integers, bulk strings, arrays', async () => {
    const probes: string[][] = [
      ['SET', 'x:k', 'v'], ['GET', 'x:k'], ['INCR', 'x:n'], ['STRLEN', 'x:k'], ['TTL', 'x:k'], ['TYPE', 'x:k'], ['EXISTS', 'x:k', 'x:n'],
      ['GET'], ['INCR', 'x:k'], ['NOSUCH'], ['MGET', 'x:k'], ['ECHO', 'x'], ['PING'], ['KEYS', 'x:k'], ['SCAN', '0', 'MATCH', 'x:k'],
      ['EXPIRE', 'x:k', '100'], ['OBJECT', 'ENCODING', 'x:n'],
    ];
    for (const probe of probes) {
      const three = await resp3.call(...probe);
      const two = await resp2.call(...probe);
      if (probe[0] === 'INCR' && probe[1] === 'x:n') {
        assert.equal(Number(three.slice(1)) - Number(two.slice(1)), -1, 'the two INCRs ran one after the other');
        continue;
      }
      assert.equal(three, two, probe.join(' '));
    }
  });

  test('every probe: the RESP3 reply down-converted equals the RESP2 reply', async () => {
    await resp3.call('FLUSHALL');
    const setup: string[][] = [
      ['SET', 'c:s', 'v'], ['HSET', 'c:h', 'a', '1', 'b', '2'], ['SADD', 'c:set', 'only'], ['RPUSH', 'c:l', 'x', 'y'], ['ZADD', 'c:z', '0.5', 'm', '2', 'n'],
    ];
    for (const command of setup) await resp3.call(...command);
    const probes: string[][] = [
      ['GET', 'c:s'], ['GET', 'c:none'], ['MGET', 'c:s', 'c:none'], ['HGETALL', 'c:h'], ['HGETALL', 'c:none'], ['SMEMBERS', 'c:set'],
      ['LRANGE', 'c:l', '0', '-1'], ['LPOP', 'c:none'], ['ZSCORE', 'c:z', 'm'], ['ZRANGE', 'c:z', '0', '-1'],
      ['CONFIG', 'GET', 'max*'], ['COMMAND', 'INFO', 'set', 'nosuch'], ['COMMAND', 'DOCS', 'get'], ['HELLO'], ['TTL', 'c:s'], ['TYPE', 'c:z'],
      ['SCAN', '0', 'COUNT', '100', 'TYPE', 'hash'], ['EXISTS', 'c:s'], ['INCRBYFLOAT', 'c:f', '2'], ['COPY', 'c:s', 'c:t'], ['GETEX', 'c:t', 'PERSIST'],
    ];
    for (const probe of probes) {
      let three = decodeReply(Buffer.from(await resp3.call(...probe), 'latin1'))?.reply;
      let two = decodeReply(Buffer.from(await resp2.call(...probe), 'latin1'))?.reply;
      assert.ok(three !== undefined && two !== undefined);
      if (probe[0] === 'HELLO') {
        // The protocol and the connection id are the differences HELLO is meant to have.
        three = downConvert(three);
        assert.ok(three.kind === 'array' && two.kind === 'array');
        const proto = three.items.findIndex((item) => show(item) === '"proto"') + 1;
        const id = three.items.findIndex((item) => show(item) === '"id"') + 1;
        assert.equal(show(three.items[proto]), ':3');
        assert.equal(show(two.items[proto]), ':2');
        three = { kind: 'array', items: three.items.filter((_, i) => i !== proto && i !== id) };
        two = { kind: 'array', items: two.items.filter((_, i) => i !== proto && i !== id) };
      }
      if (probe[0] === 'INCRBYFLOAT') {
        assert.equal(show(three), '"2"');
        assert.equal(show(two), '"4"');
        continue;
      }
      if (probe[0] === 'COPY') {
        assert.equal(show(three), ':1');
        assert.equal(show(two), ':0', 'the first COPY made the target');
        continue;
      }
      assert.equal(show(downConvert(three)), show(two), probe.join(' '));
    }
  });

  test('HELLO 2 on a RESP3 connection switches it back', async () => {
    const raw = await connect(node.port, 3);
    assert.equal(await raw.call('GET', 'h:none'), '_\r\n');
    raw.sendCommand('HELLO', '2');
    assert.equal((await raw.readReply()).toString('latin1', 0, 5), '*14\r\n');
    assert.equal(await raw.call('GET', 'h:none'), '$-1\r\n');
    assert.equal(await raw.call('HGETALL', 'h:none'), '*0\r\n');
    raw.close();
  });
});
