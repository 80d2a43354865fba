// Connection commands, authentication and client management against a spawned node.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';

describe('connection', () => {
  let node: NodeProcess;

  before(async () => {
    node = await startNodeProcess({ args: ['--maxclients', '8'] });
  });

  after(async () => {
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('PING, ECHO, SELECT 0 and SELECT of another database', async () => {
    const redis = client(node.port);
    assert.equal(await redis.ping(), 'PONG');
    assert.equal(await redis.ping('hi'), 'hi');
    assert.equal(await redis.echo('x y'), 'x y');
    assert.equal(await redis.select(0), 'OK');
    await assert.rejects(redis.select(1), /ERR DB index is out of range/);
    await assert.rejects(redis.call('SELECT', 'a'), /ERR value is not an integer or out of range/);
    redis.disconnect();
  });

  test('HELLO negotiates RESP2/RESP3 and reports the server; bad versions are NOPROTO', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('HELLO 3\r\n');
    const hello = await raw.readUntil('*0\r\n');
    assert.match(hello, /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n\$7\r\nversion\r\n/);
    assert.match(hello, /\$5\r\nproto\r\n:3\r\n/);
    raw.send('HELLO 4\r\n');
    assert.equal(await raw.read(1), '-NOPROTO unsupported protocol version\r\n');
    raw.send('HELLO 2 SETNAME alice\r\n');
    assert.match(await raw.readUntil('*0\r\n'), /^\*14\r\n/);
    raw.send('CLIENT GETNAME\r\n');
    assert.equal(await raw.read(1), '$5\r\nalice\r\n');
    raw.close();
  });

  test('CLIENT ID, SETNAME, GETNAME, SETINFO, INFO, LIST, KILL', async () => {
    const first = client(node.port);
    const second = client(node.port);
    const id = Number(await first.client('ID'));
    assert.ok(id > 0);
    assert.equal(await first.client('GETNAME'), null);
    assert.equal(await first.client('SETNAME', 'worker-1'), 'OK');
    assert.equal(await first.client('GETNAME'), 'worker-1');
    await assert.rejects(first.client('SETNAME', 'has space'), /ERR Client names cannot contain spaces, newlines or special characters./);
    assert.equal(await first.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib'), 'OK');
    const info = String(await first.client('INFO'));
    assert.match(info, new RegExp(`^id=${id} addr=127\\.0\\.0\\.1:\\d+ .*name=worker-1 .*lib-name=mylib`));
    const list = String(await second.client('LIST'));
    assert.ok(list.split('\n').filter(Boolean).length >= 2);
    assert.match(list, /name=worker-1/);
    const closed = new Promise<void>((resolve) => first.once('end', () => resolve()));
    first.options.retryStrategy = () => null;
    assert.equal(await second.call('CLIENT', 'KILL', 'ID', String(id)), 1);
    await closed;
    assert.equal(await second.call('CLIENT', 'KILL', 'ID', String(id)), 0);
    await assert.rejects(second.call('CLIENT', 'KILL', '1.2.3.4:5'), /ERR No such client/);
    await assert.rejects(second.call('CLIENT', 'NOPE'), /ERR unknown subcommand 'NOPE'. Try CLIENT HELP./);
    await assert.rejects(second.call('CLIENT', 'SETNAME'), /ERR wrong number of arguments for 'client\|setname' command/);
    second.disconnect();
  });

  test('QUIT answers OK and closes; RESET restores the defaults', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('HELLO 3\r\n');
    await raw.readUntil('*0\r\n');
    raw.send('RESET\r\nPING\r\n');
    assert.equal(await raw.readUntil('+PONG\r\n'), '+RESET\r\n+PONG\r\n');
    raw.send('QUIT\r\n');
    assert.equal(await raw.read(5), '+OK\r\n');
    await raw.waitClosed();
  });

  test('maxclients refuses connections beyond the limit with a clear error', async () => {
    const clients: RawClient[] = [];
    for (let i = 0; i < 8; i++) clients.push(await RawClient.connect(node.port));
    for (const raw of clients) {
      raw.send('PING\r\n');
      await raw.read(1);
    }
    const extra = await RawClient.connect(node.port);
    const refused = await extra.read(1);
    if (refused !== '') assert.equal(refused, '-ERR max number of clients reached\r\n');
    await extra.waitClosed();
    for (const raw of clients) raw.close();
  });
});

describe('authentication', () => {
  let node: NodeProcess;

  before(async () => {
    node = await startNodeProcess({ env: { SHOAL_REQUIREPASS: 's3cret' } });
  });

  after(async () => {
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('commands need AUTH; wrong passwords are WRONGPASS; AUTH and HELLO AUTH open the door', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('GET x\r\n');
    assert.equal(await raw.read(1), '-NOAUTH Authentication required.\r\n');
    raw.send('AUTH nope\r\n');
    assert.equal(await raw.read(1), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    raw.send('AUTH default s3cret\r\nGET x\r\n');
    assert.equal(await raw.readUntil('$-1\r\n'), '+OK\r\n$-1\r\n');
    raw.close();
    const viaHello = await RawClient.connect(node.port);
    viaHello.send('HELLO 3\r\n');
    assert.match(await viaHello.read(1), /^-NOAUTH HELLO must be called with the client already authenticated/);
    viaHello.send('HELLO 3 AUTH default s3cret\r\n');
    assert.match(await viaHello.readUntil('*0\r\n'), /^%7/);
    viaHello.close();
    const ioredis = new Redis({ port: node.port, host: '127.0.0.1', password: 's3cret' });
    assert.equal(await ioredis.set('authed', '1'), 'OK');
    ioredis.disconnect();
  });

  test('before AUTH, oversized requests are protocol errors (Redis\'s unauthenticated limits)', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('*20\r\n');
    assert.equal(await raw.read(1), '-ERR Protocol error: invalid multibulk length\r\n');
    await raw.waitClosed();
  });
});
