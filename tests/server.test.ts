// Server commands: INFO, CONFIG, COMMAND, TIME, DBSIZE, SAVE, SHUTDOWN, error texts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';

describe('server', () => {
  let node: NodeProcess;
  let redis: Redis;

  before(async () => {
    node = await startNodeProcess();
    redis = client(node.port);
  });

  after(async () => {
    redis.disconnect();
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('INFO has the server, clients, memory, persistence, stats and keyspace sections', async () => {
    await redis.set('info:key', 'v', 'EX', 100);
    const info = await redis.info();
    for (const section of ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Keyspace']) assert.match(info, new RegExp(`# ${section}\\r\\n`));
    assert.match(info, /redis_version:7\.2\.0/);
    assert.match(info, new RegExp(`tcp_port:${node.port}\\r\\n`));
    assert.match(info, /connected_clients:\d+/);
    assert.match(info, /appendfsync:always/);
    assert.match(info, /db0:keys=1,expires=1/);
    const persistence = await redis.info('persistence');
    assert.doesNotMatch(persistence, /# Server/);
    assert.match(persistence, /wal_fsyncs:\d+/);
  });

  test('CONFIG GET with globs, CONFIG SET of mutable settings, errors for the rest', async () => {
    assert.deepEqual(await redis.config('GET', 'maxclients'), ['maxclients', '10000']);
    const fsync = await redis.config('GET', 'append*');
    assert.ok((fsync as string[]).includes('appendfsync'));
    assert.equal(await redis.config('SET', 'maxclients', '500'), 'OK');
    assert.deepEqual(await redis.config('GET', 'maxclients'), ['maxclients', '500']);
    await assert.rejects(redis.config('SET', 'port', '1234'), /can't set immutable config/);
    await assert.rejects(redis.config('SET', 'nonsense', '1'), /ERR Unknown option or number of arguments for CONFIG SET - 'nonsense'/);
    await assert.rejects(redis.config('SET', 'appendfsync', 'sometimes'), /argument\(s\) must be one of the following: always, everysec, no/);
    assert.equal(await redis.config('RESETSTAT'), 'OK');
  });

  test('COMMAND COUNT, INFO, DOCS, LIST, GETKEYS are derived from the command table', async () => {
    const count = Number(await redis.command('COUNT'));
    assert.ok(count > 80);
    const [info] = (await redis.command('INFO', 'get')) as unknown[][];
    assert.deepEqual(info.slice(0, 6), ['get', 2, ['readonly', 'fast'], 1, 1, 1]);
    assert.ok((info[6] as string[]).includes('@read') && (info[6] as string[]).includes('@string'));
    assert.deepEqual(await redis.command('INFO', 'nosuchcommand'), [null]);
    const docs = (await redis.command('DOCS', 'set')) as unknown[];
    assert.equal(docs[0], 'set');
    assert.ok((docs[1] as string[]).includes('summary'));
    const list = (await redis.command('LIST')) as string[];
    assert.equal(list.length, count);
    const writes = (await redis.command('LIST', 'FILTERBY', 'ACLCAT', 'write')) as string[];
    assert.ok(writes.includes('set') && !writes.includes('get'));
    assert.deepEqual(await redis.command('GETKEYS', 'MSET', 'a', '1', 'b', '2'), ['a', 'b']);
    assert.equal(((await redis.call('COMMAND')) as unknown[]).length, count);
  });

  test('unknown commands and wrong arity get Redis\'s texts', async () => {
    await assert.rejects(redis.call('NOSUCH', 'a', 'b'), /^ReplyError: ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' $/);
    await assert.rejects(redis.call('GET'), /^ReplyError: ERR wrong number of arguments for 'get' command$/);
  });

  test('TIME, DBSIZE, SAVE and LASTSAVE', async () => {
    const [seconds, micros] = await redis.time();
    assert.ok(Math.abs(Number(seconds) - Date.now() / 1000) < 60);
    assert.ok(Number(micros) >= 0 && Number(micros) < 1_000_000);
    assert.equal(typeof (await redis.dbsize()), 'number');
    assert.equal(await redis.save(), 'OK');
    assert.ok(Math.abs((await redis.lastsave()) - Date.now() / 1000) < 60);
  });

  test('SHUTDOWN stops the process cleanly and the data survives a restart', async () => {
    await redis.set('survivor', 'yes');
    redis.options.retryStrategy = () => null;
    await redis.call('SHUTDOWN').catch(() => undefined);
    assert.equal(await node.exited, 0);
    node = await startNodeProcess({ dataDir: node.dataDir });
    redis = client(node.port);
    assert.equal(await redis.get('survivor'), 'yes');
  });
});
