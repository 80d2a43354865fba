// String commands through a real client (ioredis): an embedded node for the command rules, and
// a spawned node for the inputs that must never take the process (or its log) down.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';

const WRONGTYPE = /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value$/;
const NOT_INTEGER = /^ReplyError: ERR value is not an integer or out of range$/;
const SYNTAX = /^ReplyError: ERR syntax error$/;
const FAR_SECONDS = 4102444800;

function invalidExpire(command: string): RegExp {
  return new RegExp(`^ReplyError: ERR invalid expire time in '${command}' command$`);
}

function arity(command: string): RegExp {
  return new RegExp(`^ReplyError: ERR wrong number of arguments for '${command}' command$`);
}

describe('strings', () => {
  let node: EmbeddedNode;
  let redis: Redis;

  before(async () => {
    node = await EmbeddedNode.start();
    redis = node.client();
  });

  after(() => node.stop());

  test('SET then GET round-trips; GET of a missing key is nil; SET replaces any type', async () => {
    assert.equal(await redis.set('s:1', 'hello'), 'OK');
    assert.equal(await redis.get('s:1'), 'hello');
    assert.equal(await redis.get('s:missing'), null);
    assert.equal(await redis.set('s:1', ''), 'OK');
    assert.equal(await redis.get('s:1'), '');
    assert.equal(await redis.strlen('s:1'), 0);
    await redis.rpush('s:list', 'x');
    assert.equal(await redis.set('s:list', 'now a string'), 'OK');
    assert.equal(await redis.type('s:list'), 'string');
    assert.equal(await redis.call('set', 's:lower', 'v', 'nx'), 'OK', 'options are case-insensitive');
  });

  test('SET NX sets only a missing key, XX only an existing one; the other case is nil', async () => {
    assert.equal(await redis.set('s:nx', 'a', 'NX'), 'OK');
    assert.equal(await redis.set('s:nx', 'b', 'NX'), null);
    assert.equal(await redis.get('s:nx'), 'a');
    assert.equal(await redis.set('s:xx', 'a', 'XX'), null);
    assert.equal(await redis.exists('s:xx'), 0);
    assert.equal(await redis.set('s:nx', 'c', 'XX'), 'OK');
    assert.equal(await redis.get('s:nx'), 'c');
  });

  test('SET GET returns the old value (nil when absent), also with NX or XX', async () => {
    assert.equal(await redis.call('SET', 'sg:1', 'v1', 'GET'), null);
    assert.equal(await redis.call('SET', 'sg:1', 'v2', 'GET'), 'v1');
    assert.equal(await redis.call('SET', 'sg:1', 'v3', 'NX', 'GET'), 'v2', 'NX refused, old value returned');
    assert.equal(await redis.get('sg:1'), 'v2');
    assert.equal(await redis.call('SET', 'sg:1', 'v4', 'XX', 'GET'), 'v2');
    assert.equal(await redis.get('sg:1'), 'v4');
    assert.equal(await redis.call('SET', 'sg:2', 'v', 'XX', 'GET'), null);
    assert.equal(await redis.exists('sg:2'), 0);
  });

  test('SET GET on a non-string is WRONGTYPE and changes nothing', async () => {
    await redis.hset('sg:hash', 'f', 'v');
    await assert.rejects(redis.call('SET', 'sg:hash', 'x', 'GET'), WRONGTYPE);
    await assert.rejects(redis.call('SET', 'sg:hash', 'x', 'NX', 'GET'), WRONGTYPE);
    assert.equal(await redis.type('sg:hash'), 'hash');
    assert.equal(await redis.hget('sg:hash', 'f'), 'v');
  });

  test('SET EX/PX/EXAT/PXAT set a TTL; KEEPTTL keeps it; a plain SET clears it', async () => {
    await redis.set('s:ttl', 'v', 'EX', 100);
    assert.equal(await redis.ttl('s:ttl'), 100);
    await redis.set('s:ttl', 'v2', 'KEEPTTL');
    assert.equal(await redis.ttl('s:ttl'), 100);
    assert.equal(await redis.get('s:ttl'), 'v2');
    await redis.set('s:ttl', 'v3');
    assert.equal(await redis.ttl('s:ttl'), -1);
    await redis.set('s:ttl', 'v', 'PX', 200_000);
    assert.equal(await redis.ttl('s:ttl'), 200);
    await redis.set('s:ttl', 'v', 'EXAT', FAR_SECONDS);
    assert.equal(await redis.expiretime('s:ttl'), FAR_SECONDS);
    assert.equal(await redis.pexpiretime('s:ttl'), FAR_SECONDS * 1000);
    await redis.set('s:ttl', 'v', 'PXAT', FAR_SECONDS * 1000 + 5);
    assert.equal(await redis.pexpiretime('s:ttl'), FAR_SECONDS * 1000 + 5);
    await redis.call('SET', 's:ttl', 'v', 'ex', '300', 'nx');
    assert.equal(await redis.pexpiretime('s:ttl'), FAR_SECONDS * 1000 + 5, 'NX refused the SET, TTL untouched');
  });

  test('SET with an absolute time in the past answers OK and leaves no key', async () => {
    assert.equal(await redis.set('s:past', 'v', 'PXAT', 1000), 'OK');
    assert.equal(await redis.exists('s:past'), 0);
    await redis.set('s:past', 'old');
    assert.equal(await redis.call('SET', 's:past', 'new', 'EXAT', '1', 'GET'), 'old');
    assert.equal(await redis.exists('s:past'), 0);
  });

  test('SET option errors use Redis texts and store nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['EX', '0'], invalidExpire('set')],
      [['EX', '-5'], invalidExpire('set')],
      [['PX', '0'], invalidExpire('set')],
      [['EXAT', '0'], invalidExpire('set')],
      [['PXAT', '-1'], invalidExpire('set')],
      [['EX', '9223372036854775807'], invalidExpire('set')],
      [['EX', 'abc'], NOT_INTEGER],
      [['EX', '1.5'], NOT_INTEGER],
      [['PX', ''], NOT_INTEGER],
      [['EX', '9223372036854775808'], NOT_INTEGER],
      [['NX', 'XX'], SYNTAX],
      [['EX', '10', 'PX', '10'], SYNTAX],
      [['EX', '10', 'KEEPTTL'], SYNTAX],
      [['KEEPTTL', 'PXAT', '10'], SYNTAX],
      [['EXAT', '10', 'PXAT', '10'], SYNTAX],
      [['EX'], SYNTAX],
      [['FOO'], SYNTAX],
      [['NX', 'FOO'], SYNTAX],
    ];
    for (const [options, error] of cases) {
      await assert.rejects(redis.call('SET', 's:bad', 'v', ...options), error, options.join(' '));
    }
    await assert.rejects(redis.call('SET', 's:bad'), arity('set'));
    assert.equal(await redis.exists('s:bad'), 0);
  });

  test('SETNX, SETEX and PSETEX, with their errors', async () => {
    assert.equal(await redis.setnx('s:a', '1'), 1);
    assert.equal(await redis.setnx('s:a', '2'), 0);
    assert.equal(await redis.get('s:a'), '1');
    assert.equal(await redis.setex('s:b', 50, 'x'), 'OK');
    assert.equal(await redis.ttl('s:b'), 50);
    assert.equal(await redis.psetex('s:c', 50_000, 'y'), 'OK');
    assert.equal(await redis.ttl('s:c'), 50);
    await assert.rejects(redis.setex('s:d', 0, 'x'), invalidExpire('setex'));
    await assert.rejects(redis.setex('s:d', -1, 'x'), invalidExpire('setex'));
    await assert.rejects(redis.psetex('s:d', 0, 'x'), invalidExpire('psetex'));
    await assert.rejects(redis.call('SETEX', 's:d', 'ten', 'x'), NOT_INTEGER);
    await assert.rejects(redis.call('SETEX', 's:d', '9223372036854775807', 'x'), invalidExpire('setex'));
    await assert.rejects(redis.call('SETNX', 's:d'), arity('setnx'));
    await assert.rejects(redis.call('SETEX', 's:d', '10'), arity('setex'));
    assert.equal(await redis.exists('s:d'), 0);
    await redis.rpush('s:list2', 'x');
    assert.equal(await redis.setnx('s:list2', 'v'), 0);
    assert.equal(await redis.setex('s:list2', 100, 'v'), 'OK', 'SETEX replaces any type');
    assert.equal(await redis.type('s:list2'), 'string');
  });

  test('GETSET returns the old value and clears the TTL; GETDEL returns and deletes', async () => {
    assert.equal(await redis.getset('gs:1', 'a'), null);
    await redis.set('gs:1', 'old', 'EX', 100);
    assert.equal(await redis.getset('gs:1', 'new'), 'old');
    assert.equal(await redis.ttl('gs:1'), -1);
    assert.equal(await redis.getdel('gs:1'), 'new');
    assert.equal(await redis.exists('gs:1'), 0);
    assert.equal(await redis.getdel('gs:1'), null);
    await redis.sadd('gs:set', 'x');
    await assert.rejects(redis.getset('gs:set', 'v'), WRONGTYPE);
    await assert.rejects(redis.getdel('gs:set'), WRONGTYPE);
    assert.equal(await redis.type('gs:set'), 'set');
  });

  test('GETEX sets, changes or removes the TTL and returns the value', async () => {
    await redis.set('gx:1', 'v');
    assert.equal(await redis.getex('gx:1'), 'v');
    assert.equal(await redis.ttl('gx:1'), -1);
    assert.equal(await redis.getex('gx:1', 'EX', 100), 'v');
    assert.equal(await redis.ttl('gx:1'), 100);
    assert.equal(await redis.getex('gx:1', 'PX', 200_000), 'v');
    assert.equal(await redis.ttl('gx:1'), 200);
    assert.equal(await redis.getex('gx:1', 'EXAT', FAR_SECONDS), 'v');
    assert.equal(await redis.expiretime('gx:1'), FAR_SECONDS);
    assert.equal(await redis.getex('gx:1', 'PXAT', FAR_SECONDS * 1000 + 9), 'v');
    assert.equal(await redis.pexpiretime('gx:1'), FAR_SECONDS * 1000 + 9);
    assert.equal(await redis.getex('gx:1', 'PERSIST'), 'v');
    assert.equal(await redis.ttl('gx:1'), -1);
    assert.equal(await redis.getex('gx:1', 'EXAT', 1), 'v', 'a past time returns the value...');
    assert.equal(await redis.exists('gx:1'), 0, '...and deletes the key');
    assert.equal(await redis.getex('gx:missing'), null);
  });

  test('GETEX errors: bad times and option combinations; a missing key is nil before any check', async () => {
    await redis.set('gx:2', 'v');
    await assert.rejects(redis.call('GETEX', 'gx:2', 'EX', '0'), invalidExpire('getex'));
    await assert.rejects(redis.call('GETEX', 'gx:2', 'PX', '-1'), invalidExpire('getex'));
    await assert.rejects(redis.call('GETEX', 'gx:2', 'EX', 'x'), NOT_INTEGER);
    await assert.rejects(redis.call('GETEX', 'gx:2', 'EX', '10', 'PX', '10'), SYNTAX);
    await assert.rejects(redis.call('GETEX', 'gx:2', 'PERSIST', 'EX', '10'), SYNTAX);
    await assert.rejects(redis.call('GETEX', 'gx:2', 'NX'), SYNTAX);
    await assert.rejects(redis.call('GETEX', 'gx:2', 'EX'), SYNTAX);
    await assert.rejects(redis.call('GETEX'), arity('getex'));
    assert.equal(await redis.ttl('gx:2'), -1);
    // Redis looks the key up first (t_string.c getexCommand): nil, or WRONGTYPE, wins.
    assert.equal(await redis.call('GETEX', 'gx:missing', 'EX', '0'), null);
    assert.equal(await redis.call('GETEX', 'gx:missing', 'EX', 'x'), null);
    await redis.rpush('gx:list', 'x');
    await assert.rejects(redis.call('GETEX', 'gx:list', 'EX', '0'), WRONGTYPE);
    await assert.rejects(redis.getex('gx:list'), WRONGTYPE);
  });

  test('MSET and MGET; MGET answers nil for missing and non-string keys', async () => {
    assert.equal(await redis.mset('m:1', 'a', 'm:2', 'b'), 'OK');
    await redis.rpush('m:list', 'x');
    assert.deepEqual(await redis.mget('m:1', 'm:2', 'm:3', 'm:list', 'm:1'), ['a', 'b', null, null, 'a']);
    assert.equal(await redis.mset('m:1', 'x', 'm:1', 'y'), 'OK');
    assert.equal(await redis.get('m:1'), 'y', 'the last pair for a key wins');
    await redis.set('m:ttl', 'v', 'EX', 100);
    await redis.mset('m:ttl', 'w');
    assert.equal(await redis.ttl('m:ttl'), -1, 'MSET clears TTLs');
    await assert.rejects(redis.call('MSET', 'm:1', 'a', 'm:2'), arity('mset'));
    await assert.rejects(redis.call('MSET'), arity('mset'));
    await assert.rejects(redis.call('MGET'), arity('mget'));
  });

  test('MSETNX sets all keys or none', async () => {
    assert.equal(await redis.msetnx('mx:1', 'a', 'mx:2', 'b'), 1);
    assert.equal(await redis.msetnx('mx:3', 'c', 'mx:1', 'z'), 0);
    assert.equal(await redis.exists('mx:3'), 0);
    assert.equal(await redis.get('mx:1'), 'a');
    assert.equal(await redis.msetnx('mx:4', '1', 'mx:4', '2'), 1, 'a key named twice is still new');
    assert.equal(await redis.get('mx:4'), '2');
    await assert.rejects(redis.call('MSETNX', 'mx:5', 'a', 'mx:6'), arity('msetnx'));
  });

  test('INCR, INCRBY, DECR, DECRBY count in signed 64 bits and create missing keys', async () => {
    assert.equal(await redis.incr('n:1'), 1);
    assert.equal(await redis.incrby('n:1', 10), 11);
    assert.equal(await redis.decr('n:1'), 10);
    assert.equal(await redis.decrby('n:1', 20), -10);
    assert.equal(await redis.incrby('n:1', -5), -15);
    assert.equal(await redis.get('n:1'), '-15');
    assert.equal(await redis.decr('n:new'), -1);
    await redis.set('n:max', '9223372036854775806');
    await redis.incr('n:max');
    assert.equal(await redis.get('n:max'), '9223372036854775807');
    await redis.set('n:min', '-9223372036854775807');
    await redis.decr('n:min');
    assert.equal(await redis.get('n:min'), '-9223372036854775808');
    await redis.set('n:ttl', '5', 'EX', 100);
    assert.equal(await redis.incr('n:ttl'), 6);
    assert.equal(await redis.ttl('n:ttl'), 100, 'INCR keeps the TTL');
  });

  test('counter overflow and non-integer values are refused with Redis texts', async () => {
    await redis.set('n:max2', '9223372036854775807');
    await assert.rejects(redis.incr('n:max2'), /^ReplyError: ERR increment or decrement would overflow$/);
    await assert.rejects(redis.incrby('n:max2', 1), /^ReplyError: ERR increment or decrement would overflow$/);
    await redis.set('n:min2', '-9223372036854775808');
    await assert.rejects(redis.decr('n:min2'), /^ReplyError: ERR increment or decrement would overflow$/);
    await redis.set('n:zero', '0');
    await assert.rejects(redis.call('DECRBY', 'n:zero', '-9223372036854775808'), /^ReplyError: ERR decrement would overflow$/);
    assert.equal(await redis.get('n:max2'), '9223372036854775807');
    for (const stored of ['abc', ' 1', '1 ', '01', '+1', '1.0', '', '9223372036854775808', '0x10']) {
      await redis.set('n:text', stored);
      await assert.rejects(redis.incr('n:text'), NOT_INTEGER, JSON.stringify(stored));
      assert.equal(await redis.get('n:text'), stored);
    }
    for (const increment of ['x', '1.5', '', '9223372036854775808', ' 2']) {
      await assert.rejects(redis.call('INCRBY', 'n:zero', increment), NOT_INTEGER, JSON.stringify(increment));
    }
    await redis.hset('n:hash', 'f', '1');
    await assert.rejects(redis.incr('n:hash'), WRONGTYPE);
    await assert.rejects(redis.call('INCR'), arity('incr'));
    await assert.rejects(redis.call('INCRBY', 'n:zero'), arity('incrby'));
  });

  test('INCRBYFLOAT prints like Redis, keeps the TTL and refuses bad numbers', async () => {
    assert.equal(await redis.incrbyfloat('f:1', '10.5'), '10.5');
    assert.equal(await redis.incrbyfloat('f:1', '0.25'), '10.75');
    assert.equal(await redis.incrbyfloat('f:1', '-5'), '5.75');
    assert.equal(await redis.incrbyfloat('f:1', '-0.75'), '5');
    await redis.set('f:2', '5.0e3');
    assert.equal(await redis.incrbyfloat('f:2', '2.0e2'), '5200');
    await redis.set('f:3', '7', 'EX', 100);
    assert.equal(await redis.incrbyfloat('f:3', '0.5'), '7.5');
    assert.equal(await redis.ttl('f:3'), 100);
    await assert.rejects(redis.incrbyfloat('f:1', 'abc'), /^ReplyError: ERR value is not a valid float$/);
    await assert.rejects(redis.incrbyfloat('f:1', 'nan'), /^ReplyError: ERR value is not a valid float$/);
    await assert.rejects(redis.incrbyfloat('f:1', 'inf'), /^ReplyError: ERR increment would produce NaN or Infinity$/);
    await redis.set('f:text', 'abc');
    await assert.rejects(redis.incrbyfloat('f:text', '1'), /^ReplyError: ERR value is not a valid float$/);
    await redis.lpush('f:list', 'x');
    await assert.rejects(redis.incrbyfloat('f:list', '1'), WRONGTYPE);
    assert.equal(await redis.get('f:1'), '5');
  });

  test('APPEND and STRLEN', async () => {
    assert.equal(await redis.append('r:1', 'Hello'), 5);
    assert.equal(await redis.append('r:1', ' World'), 11);
    assert.equal(await redis.append('r:1', ''), 11);
    assert.equal(await redis.strlen('r:1'), 11);
    assert.equal(await redis.strlen('r:none'), 0);
    assert.equal(await redis.append('r:empty', ''), 0);
    assert.equal(await redis.exists('r:empty'), 1, 'APPEND of nothing still creates the key');
    await redis.set('r:ttl', 'a', 'EX', 100);
    await redis.append('r:ttl', 'b');
    assert.equal(await redis.ttl('r:ttl'), 100);
    await redis.set('r:num', '1');
    assert.equal(await redis.append('r:num', '2'), 2);
    assert.equal(await redis.incr('r:num'), 13);
  });

  test('GETRANGE clamps indexes like Redis', async () => {
    await redis.set('r:2', 'Hello World');
    const cases: Array<[number | string, number | string, string]> = [
      [0, 4, 'Hello'], [-5, -1, 'World'], [5, 2, ''], [0, 100, 'Hello World'], [-100, 2, 'Hel'],
      [-100, -50, 'H'], [3, -100, ''], [10, 10, 'd'], [11, 11, ''], [-1, -1, 'd'],
      ['0', '9223372036854775807', 'Hello World'], ['-9223372036854775808', '1', 'He'],
    ];
    for (const [start, end, expected] of cases) {
      assert.equal(await redis.call('GETRANGE', 'r:2', String(start), String(end)), expected, `GETRANGE ${start} ${end}`);
    }
    assert.equal(await redis.getrange('r:none', 0, -1), '');
    await redis.set('r:empty2', '');
    assert.equal(await redis.getrange('r:empty2', 0, -1), '');
    await assert.rejects(redis.call('GETRANGE', 'r:2', 'x', '1'), NOT_INTEGER);
    await assert.rejects(redis.call('GETRANGE', 'r:2', '0'), arity('getrange'));
  });

  test('SETRANGE pads with zero bytes and refuses negative or oversized offsets', async () => {
    await redis.set('r:3', 'Hello World');
    assert.equal(await redis.setrange('r:3', 6, 'Redis'), 11);
    assert.equal(await redis.get('r:3'), 'Hello Redis');
    assert.equal(await redis.setrange('r:3', 11, '!!'), 13);
    assert.equal(await redis.setrange('r:4', 3, 'x'), 4);
    assert.equal(await redis.get('r:4'), '\0\0\0x');
    assert.equal(await redis.setrange('r:5', 3, ''), 0, 'nothing to write on a missing key...');
    assert.equal(await redis.exists('r:5'), 0, '...creates nothing');
    assert.equal(await redis.setrange('r:3', 100, ''), 13, 'nothing to write on an existing key gives its length');
    await assert.rejects(redis.setrange('r:3', -1, 'x'), /^ReplyError: ERR offset is out of range$/);
    await assert.rejects(redis.call('SETRANGE', 'r:3', 'x', 'x'), NOT_INTEGER);
    await assert.rejects(redis.setrange('r:3', 536870912, 'x'), /^ReplyError: ERR string exceeds maximum allowed size/);
    // Past V8's longest string (2^29 - 24) but under Redis's 512 MB: refused, never a crash.
    await assert.rejects(redis.setrange('r:3', 536870900, 'x'), /^ReplyError: ERR string exceeds maximum allowed size/);
    assert.equal(await redis.get('r:3'), 'Hello Redis!!');
    // Redis answers an empty write before checking the size (t_string.c setrangeCommand).
    assert.equal(await redis.setrange('r:3', 536870911, ''), 13);
    assert.equal(await redis.setrange('r:6', 536870912, ''), 0);
  });

  test('every string command refuses a non-string key with WRONGTYPE', async () => {
    await redis.sadd('w:set', 'x');
    const commands: string[][] = [
      ['GET', 'w:set'], ['GETRANGE', 'w:set', '0', '1'], ['STRLEN', 'w:set'], ['APPEND', 'w:set', 'x'], ['INCR', 'w:set'], ['DECR', 'w:set'],
      ['INCRBY', 'w:set', '1'], ['DECRBY', 'w:set', '1'], ['INCRBYFLOAT', 'w:set', '1'], ['SETRANGE', 'w:set', '0', 'x'], ['GETDEL', 'w:set'],
      ['GETEX', 'w:set'], ['GETSET', 'w:set', 'x'],
    ];
    for (const command of commands) await assert.rejects(redis.call(command[0], ...command.slice(1)), WRONGTYPE, command.join(' '));
    assert.deepEqual(await redis.smembers('w:set'), ['x']);
  });

  test('keys and values are binary-safe: NUL, CR LF and bytes above 0x7f', async () => {
    const key = Buffer.from([0, 13, 10, 0xff, 0x80, 0x41]);
    const value = Buffer.from([0xfe, 0, 0xc3, 0x28, 13, 10, 0x7f, 0x80]);
    await redis.set(key, value);
    assert.deepEqual(await redis.getBuffer(key), value);
    assert.deepEqual(await redis.mgetBuffer(key, Buffer.from('b:none')), [value, null]);
    assert.equal(await redis.strlen(key), value.length);
    assert.deepEqual(await redis.getrangeBuffer(key, 1, 5), value.subarray(1, 6));
    assert.equal(await redis.append(key, Buffer.from([0, 0xff])), value.length + 2);
    assert.deepEqual(await redis.getBuffer(key), Buffer.concat([value, Buffer.from([0, 0xff])]));
    assert.equal(await redis.setrange(key, 1, Buffer.from([13, 10])), value.length + 2);
    const other = Buffer.from([0x80, 0, 0x80]);
    await redis.mset(other, Buffer.from([0xc0, 0xc1]));
    assert.deepEqual(await redis.getsetBuffer(other, Buffer.from([1])), Buffer.from([0xc0, 0xc1]));
    assert.deepEqual(await redis.getdelBuffer(other), Buffer.from([1]));
    assert.equal(await redis.exists(key), 1);
    assert.equal(await redis.exists(Buffer.from([0, 13, 10, 0xff, 0x80])), 0, 'a prefix of the key is another key');
    // Invalid UTF-8 must not be normalised: every byte value survives the round trip.
    const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await redis.set(allBytes, allBytes);
    assert.deepEqual(await redis.getBuffer(allBytes), allBytes);
    const large = Buffer.alloc(1024 * 1024, 0xa5);
    large[0] = 0;
    large[large.length - 1] = 0xff;
    await redis.set('b:large', large);
    assert.deepEqual(await redis.getBuffer('b:large'), large);
  });

  test('LCS finds the longest common subsequence, its length and its ranges; SUBSTR is GETRANGE', async () => {
    await redis.mset('lcs:1', 'ohmytext', 'lcs:2', 'mynewtext');
    assert.equal(await redis.call('LCS', 'lcs:1', 'lcs:2'), 'mytext');
    assert.equal(await redis.call('LCS', 'lcs:1', 'lcs:2', 'LEN'), 6);
    assert.deepEqual(await redis.call('LCS', 'lcs:1', 'lcs:2', 'IDX', 'MINMATCHLEN', 4, 'WITHMATCHLEN'), ['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
    await assert.rejects(redis.call('LCS', 'lcs:1', 'lcs:2', 'LEN', 'IDX'), /If you want both the length and indexes, please just use IDX/);
    await redis.rpush('lcs:list', 'x');
    await assert.rejects(redis.call('LCS', 'lcs:1', 'lcs:list'), /The specified keys must contain string values/);
    assert.equal(await redis.call('SUBSTR', 'lcs:1', 2, -1), 'mytext');
  });

  test('string values, binary keys and TTLs survive a restart on the same data directory', async () => {
    const key = Buffer.from([0, 0xff, 13, 10]);
    await redis.set(key, Buffer.from([0x80, 0]));
    await redis.set('restart:ttl', 'v', 'EXAT', FAR_SECONDS);
    await redis.incrby('restart:n', 41);
    await node.restart({ snapshot: false });
    redis = node.client();
    assert.deepEqual(await redis.getBuffer(key), Buffer.from([0x80, 0]));
    assert.equal(await redis.expiretime('restart:ttl'), FAR_SECONDS);
    assert.equal(await redis.incr('restart:n'), 42);
  });
});

describe('strings: expiry arithmetic at the edges of 64 bits (spawned node)', () => {
  let node: NodeProcess;
  let redis: Redis;

  before(async () => {
    node = await startNodeProcess();
    // Integers above 2^53 must reach the assertions exactly, so replies stay strings.
    redis = client(node.port, { stringNumbers: true });
  });

  after(async () => {
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    removeDir(node.dataDir);
  });

  test('expiry times whose millisecond value overflows 64 bits are refused, the rest accepted', async () => {
    await redis.set('edge', 'v');
    const refused: Array<[string[], string]> = [
      [['SET', 'edge', 'v', 'PX', '9223372036854775807'], 'set'],
      [['SET', 'edge', 'v', 'EX', '9223372036854775'], 'set'],
      [['SETEX', 'edge', '9223372036854775', 'v'], 'setex'],
      [['PSETEX', 'edge', '9223372036854775807', 'v'], 'psetex'],
      [['GETEX', 'edge', 'PX', '9223372036854775807'], 'getex'],
      [['GETEX', 'edge', 'EX', '9223372036854775'], 'getex'],
      [['EXPIRE', 'edge', '9223372036854775'], 'expire'],
      [['PEXPIRE', 'edge', '9223372036854775807'], 'pexpire'],
    ];
    for (const [command, name] of refused) {
      await assert.rejects(redis.call(command[0], ...command.slice(1)), invalidExpire(name), command.join(' '));
    }
    assert.equal(await redis.call('SET', 'edge', 'v', 'EX', '92233720368547'), 'OK');
    assert.equal(await redis.call('TTL', 'edge'), '92233720368547');
    assert.equal(await redis.call('PSETEX', 'edge', '9223372036854775', 'v'), 'OK');
    assert.equal(await redis.call('TTL', 'edge'), '9223372036855');
    // Above 2^53 ms (year 287396) times are kept as the nearest double: a documented difference.
    assert.equal(await redis.call('SET', 'edge', 'v', 'PXAT', '9007199254740993'), 'OK');
    assert.equal(await redis.call('PEXPIRETIME', 'edge'), '9007199254740992');
    assert.equal(await redis.call('PEXPIREAT', 'edge', '9223372036854775807'), '1');
    assert.equal(await redis.call('PEXPIRETIME', 'edge'), '9223372036854774784', 'the largest double below 2^63');
  });

  test('after those commands the node still runs and restarts on its own log', async () => {
    assert.equal(node.child.exitCode, null, `node died: ${node.output().slice(-2000)}`);
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    node = await startNodeProcess({ dataDir: node.dataDir });
    redis = client(node.port, { stringNumbers: true });
    assert.equal(await redis.ping(), 'PONG');
    assert.equal(await redis.exists('edge'), '1');
    assert.equal(await redis.call('PEXPIRETIME', 'edge'), '9223372036854774784', 'the expiry survived the replay');
  });
});
