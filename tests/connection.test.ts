// Connection commands, authentication, client management and the connection limit, against
// spawned node processes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { encodeCommands } from './support/resp-command.js';
import { ClientPool } from './support/client-pool.js';
import { decodeReply, show } from './support/resp-reply.js';
import type { Reply } from './support/resp-reply.js';
import { sleep, waitUntil } from './support/wait.js';
import { REDIS_ABSENT, startRedisServer } from './support/redis-server.js';

const NOAUTH = '-NOAUTH Authentication required.\r\n';
const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
const HELLO_FIELDS = ['server', 'version', 'proto', 'id', 'mode', 'role', 'modules'];

/** HELLO's reply as field → value, from its RESP2 array or RESP3 map. */
function helloFields(raw: Buffer): Map<string, Reply> {
  const reply = decodeReply(raw)?.reply;
  assert.ok(reply !== undefined);
  const pairs: Array<readonly [Reply, Reply]> = [];
  if (reply.kind === 'map') pairs.push(...reply.entries);
  else if (reply.kind === 'array') for (let i = 0; i + 1 < reply.items.length; i += 2) pairs.push([reply.items[i], reply.items[i + 1]]);
  else assert.fail(`HELLO replied ${raw.toString('latin1')}`);
  const fields = new Map<string, Reply>();
  for (const [key, value] of pairs) {
    assert.ok(key.kind === 'bulk' || key.kind === 'simple');
    fields.set(key.value.toString(), value);
  }
  return fields;
}

function text(reply: Reply | undefined): string {
  if (reply === undefined || (reply.kind !== 'bulk' && reply.kind !== 'simple')) assert.fail(`not a string: ${reply === undefined ? 'absent' : show(reply)}`);
  return reply.value.toString();
}

function integer(reply: Reply | undefined): number {
  if (reply === undefined || reply.kind !== 'integer') assert.fail(`not an integer: ${reply === undefined ? 'absent' : show(reply)}`);
  return Number(reply.value);
}

/** CLIENT LIST / CLIENT INFO lines as field → value maps. */
function clientLines(list: string): Array<Map<string, string>> {
  return list.split('\n').filter((line) => line.trim() !== '').map((line) => new Map(line.trim().split(' ').map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
  })));
}

describe('connection', () => {
  let node: NodeProcess;
  const pool = new ClientPool();
  const client = (port: number, options: RedisOptions = {}) => pool.open(port, options);

  before(async () => {
    node = await startNodeProcess();
  });

  after(async () => {
    pool.closeAll();
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('PING, ECHO and their arity errors', async () => {
    const redis = client(node.port);
    assert.equal(await redis.ping(), 'PONG');
    assert.equal(await redis.ping('hi there'), 'hi there');
    assert.equal(await redis.echo('x y'), 'x y');
    assert.equal(await redis.echo(''), '');
    assert.deepEqual(await redis.echoBuffer(Buffer.from([0, 13, 10, 0xff])), Buffer.from([0, 13, 10, 0xff]));
    await assert.rejects(redis.call('PING', 'a', 'b'), /^ReplyError: ERR wrong number of arguments for 'ping' command$/);
    await assert.rejects(redis.call('ECHO'), /^ReplyError: ERR wrong number of arguments for 'echo' command$/);
    redis.disconnect();
  });

  test('SELECT 0 works; other databases and bad indexes are refused', async () => {
    const redis = client(node.port);
    assert.equal(await redis.select(0), 'OK');
    await assert.rejects(redis.select(1), /^ReplyError: ERR DB index is out of range$/);
    await assert.rejects(redis.select(-1), /^ReplyError: ERR DB index is out of range$/);
    await assert.rejects(redis.call('SELECT', 'a'), /^ReplyError: ERR value is not an integer or out of range$/);
    await assert.rejects(redis.call('SELECT'), /^ReplyError: ERR wrong number of arguments for 'select' command$/);
    assert.equal(await redis.set('select:k', 'v'), 'OK', 'the connection still works on db 0');
    redis.disconnect();
  });

  test('HELLO 3 answers a map and switches to RESP3; HELLO 2 answers an array and switches back', async () => {
    const raw = await RawClient.connect(node.port);
    const id = Number((await raw.call('CLIENT', 'ID')).slice(1, -2));
    raw.sendCommand('HELLO', '3');
    const hello3 = await raw.readReply();
    assert.equal(hello3[0], 0x25, 'a RESP3 map');
    const fields = helloFields(hello3);
    assert.deepEqual([...fields.keys()], HELLO_FIELDS);
    assert.equal(text(fields.get('server')), 'redis');
    assert.match(text(fields.get('version')), /^7\.\d+\.\d+$/);
    assert.equal(integer(fields.get('proto')), 3);
    assert.equal(integer(fields.get('id')), id);
    assert.equal(text(fields.get('mode')), 'standalone');
    assert.equal(text(fields.get('role')), 'master');
    assert.deepEqual(fields.get('modules'), { kind: 'array', items: [] });
    assert.equal(await raw.call('GET', 'hello:none'), '_\r\n', 'RESP3 null');
    assert.match(await raw.call('CLIENT', 'INFO'), / resp=3 /);
    raw.sendCommand('HELLO', '2');
    const hello2 = await raw.readReply();
    assert.equal(hello2.toString('latin1', 0, 5), '*14\r\n');
    assert.equal(integer(helloFields(hello2).get('proto')), 2);
    assert.equal(await raw.call('GET', 'hello:none'), '$-1\r\n', 'RESP2 null again');
    assert.match(await raw.call('CLIENT', 'INFO'), / resp=2 /);
    raw.sendCommand('HELLO');
    assert.equal(integer(helloFields(await raw.readReply()).get('proto')), 2, 'HELLO without a version keeps the protocol');
    raw.close();
  });

  test('HELLO errors: unsupported or non-numeric versions, bad options', async () => {
    const raw = await RawClient.connect(node.port);
    assert.equal(await raw.call('HELLO', '4'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await raw.call('HELLO', '1'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await raw.call('HELLO', 'abc'), '-ERR Protocol version is not an integer or out of range\r\n');
    assert.equal(await raw.call('HELLO', '3', 'FOO'), "-ERR Syntax error in HELLO option 'FOO'\r\n");
    assert.equal(await raw.call('HELLO', '3', 'AUTH', 'default'), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
    assert.equal(await raw.call('HELLO', '3', 'SETNAME'), "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
    assert.equal(await raw.call('GET', 'hello:none'), '$-1\r\n', 'failed HELLOs left RESP2 in place');
    raw.close();
  });

  test('HELLO SETNAME names the connection; a bad name is refused and changes nothing', async () => {
    const raw = await RawClient.connect(node.port);
    raw.sendCommand('HELLO', '2', 'SETNAME', 'alice');
    assert.equal((await raw.readReply()).toString('latin1', 0, 5), '*14\r\n');
    assert.equal(await raw.call('CLIENT', 'GETNAME'), '$5\r\nalice\r\n');
    assert.equal(await raw.call('HELLO', '3', 'SETNAME', 'has space'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await raw.call('CLIENT', 'GETNAME'), '$5\r\nalice\r\n');
    assert.equal(await raw.call('GET', 'x'), '$-1\r\n', 'still RESP2');
    raw.close();
  });

  test('HELLO AUTH with the default user works without a password configured; other users are WRONGPASS', async () => {
    const raw = await RawClient.connect(node.port);
    raw.sendCommand('HELLO', '3', 'AUTH', 'default', 'anything');
    assert.equal((await raw.readReply())[0], 0x25);
    assert.equal(await raw.call('HELLO', '2', 'AUTH', 'nobody', 'x'), WRONGPASS);
    assert.equal(await raw.call('AUTH', 'x'), '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n');
    assert.equal(await raw.call('AUTH', 'default', 'x'), '+OK\r\n');
    assert.equal(await raw.call('AUTH', 'nobody', 'x'), WRONGPASS);
    assert.equal(await raw.call('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n');
    raw.close();
  });

  test('CLIENT ID, SETNAME, GETNAME, INFO and LIST describe the connections', async () => {
    const first = client(node.port);
    const second = client(node.port);
    const id = Number(await first.client('ID'));
    assert.ok(Number.isInteger(id) && id > 0);
    assert.notEqual(Number(await second.client('ID')), id, 'ids are unique');
    assert.equal(await first.client('GETNAME'), null);
    assert.equal(await first.client('SETNAME', 'worker-1'), 'OK');
    assert.equal(await first.client('GETNAME'), 'worker-1');
    for (const bad of ['has space', 'new\nline', 'bell\u0007']) {
      await assert.rejects(first.client('SETNAME', bad), /^ReplyError: ERR Client names cannot contain spaces, newlines or special characters\.$/);
    }
    assert.equal(await first.client('GETNAME'), 'worker-1');
    const [info] = clientLines(String(await first.client('INFO')));
    assert.equal(info.get('id'), String(id));
    assert.match(info.get('addr') ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(info.get('laddr'), `127.0.0.1:${node.port}`);
    assert.equal(info.get('name'), 'worker-1');
    assert.equal(info.get('db'), '0');
    assert.equal(info.get('cmd'), 'client|info');
    const lines = clientLines(String(await second.client('LIST')));
    assert.ok(lines.length >= 2);
    assert.deepEqual(lines.filter((line) => line.get('id') === String(id)).map((line) => line.get('name')), ['worker-1']);
    const mine = clientLines(String(await first.call('CLIENT', 'LIST', 'ID', String(id))));
    assert.equal(mine.length, 1);
    assert.equal(await first.call('CLIENT', 'LIST', 'ID', '999999999'), '');
    assert.equal(await first.client('SETNAME', ''), 'OK');
    assert.equal(await first.client('GETNAME'), null, 'an empty name clears it');
    await assert.rejects(first.call('CLIENT', 'LIST', 'ID', 'abc'), /^ReplyError: ERR Invalid client ID$/);
    await assert.rejects(first.call('CLIENT', 'LIST', 'TYPE', 'foo'), /^ReplyError: ERR Unknown client type 'foo'$/);
    await assert.rejects(first.call('CLIENT', 'NOPE'), /^ReplyError: ERR unknown subcommand 'NOPE'\. Try CLIENT HELP\.$/);
    await assert.rejects(first.call('CLIENT', 'SETNAME'), /^ReplyError: ERR wrong number of arguments for 'client\|setname' command$/);
    await assert.rejects(first.call('CLIENT', 'ID', 'x'), /^ReplyError: ERR wrong number of arguments for 'client\|id' command$/);
    first.disconnect();
    second.disconnect();
  });

  test('CLIENT LIST has the fields of redis-server, in the same order', async (t) => {
    const redis = await startRedisServer();
    if (redis === null) return t.skip(REDIS_ABSENT);
    try {
      const fieldsOf = async (port: number) => {
        const raw = await RawClient.connect(port);
        const reply = (await raw.call('CLIENT', 'LIST')).split('\r\n')[1];
        raw.close();
        return [...clientLines(reply)[0].keys()];
      };
      const expected = await fieldsOf(redis.port);
      // 7.2 appends lib-name and lib-ver to 7.0's fields.
      const actual = (await fieldsOf(node.port)).filter((field) => !expected.includes('lib-name') ? field !== 'lib-name' && field !== 'lib-ver' : true);
      assert.deepEqual(actual, expected);
    } finally {
      await redis.stop();
    }
  });

  test('CLIENT KILL by ID, ADDR and the old addr form closes exactly that connection', async () => {
    const killer = client(node.port);
    const victims = [client(node.port, { retryStrategy: () => null }), client(node.port, { retryStrategy: () => null }), client(node.port, { retryStrategy: () => null })];
    const ids = await Promise.all(victims.map(async (victim) => Number(await victim.client('ID'))));
    const addrs = await Promise.all(victims.map(async (victim) => clientLines(String(await victim.client('INFO')))[0].get('addr') ?? ''));
    const ended = victims.map((victim) => new Promise<void>((resolve) => victim.once('end', () => resolve())));
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(ids[0])), 1);
    await ended[0];
    assert.equal(await killer.call('CLIENT', 'KILL', 'ADDR', addrs[1]), 1);
    await ended[1];
    assert.equal(await killer.call('CLIENT', 'KILL', addrs[2]), 'OK');
    await ended[2];
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(ids[0])), 0);
    await assert.rejects(killer.call('CLIENT', 'KILL', '1.2.3.4:5'), /^ReplyError: ERR No such client$/);
    assert.equal(await killer.call('CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'SKIPME', 'yes'), 0);
    await assert.rejects(killer.call('CLIENT', 'KILL', 'ID', 'x'), /^ReplyError: ERR client-id should be greater than 0$/);
    await assert.rejects(killer.call('CLIENT', 'KILL', 'TYPE', 'foo'), /^ReplyError: ERR Unknown client type 'foo'$/);
    await assert.rejects(killer.call('CLIENT', 'KILL', 'SKIPME', 'maybe'), /^ReplyError: ERR syntax error$/);
    await assert.rejects(killer.call('CLIENT', 'KILL', 'USER', 'nobody'), /^ReplyError: ERR No such user 'nobody'$/);
    assert.equal(await killer.ping(), 'PONG', 'the killer itself is untouched');
    const killerId = Number(await killer.client('ID'));
    assert.equal(await killer.call('CLIENT', 'KILL', 'ID', String(killerId), 'SKIPME', 'yes'), 0);
    killer.disconnect();
  });

  test('QUIT answers OK and closes; RESET restores name, protocol and database', async () => {
    const raw = await RawClient.connect(node.port);
    raw.sendCommand('HELLO', '3', 'SETNAME', 'temp');
    await raw.readReply();
    assert.equal(await raw.call('RESET'), '+RESET\r\n');
    assert.equal(await raw.call('GET', 'reset:none'), '$-1\r\n', 'back to RESP2');
    assert.equal(await raw.call('CLIENT', 'GETNAME'), '$-1\r\n', 'name cleared');
    assert.equal(await raw.call('RESET', 'x'), "-ERR wrong number of arguments for 'reset' command\r\n");
    raw.send('QUIT\r\nPING\r\n');
    assert.equal(await raw.readUntil('+OK\r\n'), '+OK\r\n');
    await raw.waitClosed();
    assert.equal(raw.pending.length, 0, 'nothing answered after QUIT');
  });

  test('CLIENT REPLY OFF drops every reply until ON, SKIP the next one only, RESET turns replies back on (bytes as redis-server sends them)', async () => {
    const cases: Array<[string[][], string]> = [
      [[['CLIENT', 'REPLY', 'OFF'], ['SET', 'reply:a', '1'], ['GET', 'reply:a'], ['CLIENT', 'REPLY', 'ON'], ['GET', 'reply:a'], ['CLIENT', 'REPLY', 'SKIP'], ['GET', 'reply:a'], ['INCR', 'reply:a'], ['PING', 'x']],
        '+OK\r\n$1\r\n1\r\n:2\r\n$1\r\nx\r\n'],
      [[['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'a'], ['PING', 'b']], '$1\r\nb\r\n'],
      [[['CLIENT', 'REPLY', 'OFF'], ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'a'], ['CLIENT', 'REPLY', 'FOO'], ['CLIENT', 'REPLY', 'ON'], ['PING', 'b']], '+OK\r\n$1\r\nb\r\n'],
      [[['CLIENT', 'REPLY', 'OFF'], ['SET', 'reply:c', 'x'], ['INCR', 'reply:c'], ['RESET'], ['PING', 'after']], '+RESET\r\n$5\r\nafter\r\n'],
      [[['CLIENT', 'REPLY', 'SKIP'], ['BLPOP', 'reply:none', '0.05'], ['PING', 'z']], '$1\r\nz\r\n'],
    ];
    for (const [commands, expected] of cases) {
      const raw = await RawClient.connect(node.port);
      raw.send(encodeCommands(commands));
      assert.equal(await raw.readUntil(expected.slice(-8)), expected, commands.map((command) => command.join(' ')).join(' | '));
      raw.close();
    }
  });

  test('a client that pipelines far more large replies than it reads stops being read: its output stays near 64 MiB', async () => {
    const redis = client(node.port);
    await redis.set('big:value', 'x'.repeat(1024 * 1024));
    // 4,000 GETs of 1 MiB each, about 110 KB of input: 4 GiB of replies if nothing held them back.
    const reader = connect(node.port, '127.0.0.1');
    await new Promise<void>((resolve) => reader.once('connect', resolve));
    reader.pause();
    reader.write(encodeCommands(Array.from({ length: 4000 }, () => ['GET', 'big:value'])));
    const outputOf = async () => {
      const line = (await redis.client('LIST') as string).split('\n').find((entry) => entry.includes(`laddr=127.0.0.1:${node.port}`) && / cmd=get /.test(entry));
      return line === undefined ? 0 : Number(/ omem=(\d+)/.exec(line)?.[1] ?? 0);
    };
    assert.ok(await waitUntil(async () => (await outputOf()) > 32 * 1024 * 1024, 10_000), 'the replies fill the output');
    await sleep(300);
    const held = await outputOf();
    assert.ok(held <= 66 * 1024 * 1024, `unsent output ${held} bytes`);
    const rss = Number(/used_memory_rss:(\d+)/.exec(await redis.info('memory'))?.[1]);
    assert.ok(rss < 1024 * 1024 * 1024, `RSS ${rss} bytes`);
    reader.destroy();
    assert.equal(await redis.ping(), 'PONG');
  });

  test('commands after a pipelined QUIT are not executed', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('SET quit:before 1\r\nQUIT\r\nSET quit:after 1\r\n');
    await raw.waitClosed();
    const redis = client(node.port);
    assert.equal(await redis.exists('quit:before', 'quit:after'), 1);
  });
});

describe('connection limit (maxclients 8)', () => {
  let node: NodeProcess;

  before(async () => {
    node = await startNodeProcess({ args: ['--maxclients', '8'] });
  });

  after(async () => {
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('a connection beyond maxclients gets "ERR max number of clients reached" and is closed; a freed slot is reusable', async () => {
    const clients: RawClient[] = [];
    for (let i = 0; i < 8; i++) clients.push(await RawClient.connect(node.port));
    for (const raw of clients) assert.equal(await raw.call('PING'), '+PONG\r\n');
    const extra = await RawClient.connect(node.port);
    assert.equal(await extra.readUntil('\r\n'), '-ERR max number of clients reached\r\n');
    await extra.waitClosed();
    for (const raw of clients) assert.equal(await raw.call('PING'), '+PONG\r\n', 'the admitted clients keep working');
    clients.pop()?.close();
    let admitted: RawClient | undefined;
    // The node notices the close asynchronously: retry a bounded number of times.
    for (let attempt = 0; attempt < 50 && admitted === undefined; attempt++) {
      const candidate = await RawClient.connect(node.port);
      candidate.sendCommand('PING');
      const reply = (await candidate.readReply()).toString('latin1');
      if (reply === '+PONG\r\n') admitted = candidate;
      else {
        assert.equal(reply, '-ERR max number of clients reached\r\n');
        candidate.close();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    assert.ok(admitted !== undefined, 'a slot freed by a closed client is given to a new one');
    admitted.close();
    for (const raw of clients) raw.close();
  });

  test('CONFIG SET maxclients changes the limit at run time', async () => {
    // Connections closed by the previous test leave asynchronously: until they have, a new
    // connection may still be refused, so the admin connection is retried (bounded).
    let admin: RawClient | undefined;
    for (let attempt = 0; attempt < 100 && admin === undefined; attempt++) {
      const candidate = await RawClient.connect(node.port);
      if ((await candidate.call('PING')) === '+PONG\r\n') admin = candidate;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(admin !== undefined, 'an admin connection was admitted');
    const only = admin;
    assert.ok(await waitUntil(async () => (await only.call('CLIENT', 'LIST')).split('\n').filter((line) => line.startsWith('id=')).length === 1, 5000));
    assert.equal(await admin.call('CONFIG', 'SET', 'maxclients', '2'), '+OK\r\n');
    const second = await RawClient.connect(node.port);
    assert.equal(await second.call('PING'), '+PONG\r\n');
    const third = await RawClient.connect(node.port);
    assert.equal(await third.readUntil('\r\n'), '-ERR max number of clients reached\r\n');
    second.close();
    assert.equal(await admin.call('CONFIG', 'SET', 'maxclients', '8'), '+OK\r\n');
    admin.close();
  });
});

describe('authentication (requirepass from the environment)', () => {
  let node: NodeProcess;
  const pool = new ClientPool();

  before(async () => {
    node = await startNodeProcess({ env: { SHOAL_REQUIREPASS: 's3cret' } });
  });

  after(async () => {
    pool.closeAll();
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('before AUTH every command but AUTH, HELLO, QUIT and RESET is NOAUTH', async () => {
    const raw = await RawClient.connect(node.port);
    for (const command of [['GET', 'x'], ['PING'], ['ECHO', 'a'], ['SELECT', '0'], ['CLIENT', 'SETNAME', 'x'], ['CONFIG', 'GET', 'requirepass']]) {
      assert.equal(await raw.call(...command), NOAUTH, command.join(' '));
    }
    // Redis looks the command up before checking authentication.
    assert.equal(await raw.call('NOSUCH', 'x'), "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    assert.match(await raw.call('HELLO', '3'), /^-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO (<proto> )?AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n$/);
    assert.equal(await raw.call('RESET'), '+RESET\r\n');
    assert.equal(await raw.call('QUIT'), '+OK\r\n');
    await raw.waitClosed();
  });

  test('wrong passwords are WRONGPASS; AUTH with and without the user name opens the door', async () => {
    const raw = await RawClient.connect(node.port);
    assert.equal(await raw.call('AUTH', 'nope'), WRONGPASS);
    assert.equal(await raw.call('AUTH', 'default', 'nope'), WRONGPASS);
    assert.equal(await raw.call('AUTH', 'nobody', 's3cret'), WRONGPASS);
    assert.equal(await raw.call('AUTH'), "-ERR wrong number of arguments for 'auth' command\r\n");
    assert.equal(await raw.call('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n');
    assert.equal(await raw.call('GET', 'x'), NOAUTH);
    assert.equal(await raw.call('AUTH', 's3cret'), '+OK\r\n');
    assert.equal(await raw.call('GET', 'x'), '$-1\r\n');
    assert.equal(await raw.call('AUTH', 'default', 'nope'), WRONGPASS);
    assert.equal(await raw.call('GET', 'x'), '$-1\r\n', 'a failed AUTH keeps an authenticated connection authenticated');
    raw.close();
    const other = await RawClient.connect(node.port);
    assert.equal(await other.call('AUTH', 'default', 's3cret'), '+OK\r\n');
    assert.equal(await other.call('PING'), '+PONG\r\n');
    other.close();
  });

  test('HELLO AUTH authenticates and switches protocol at once; a bad password changes nothing', async () => {
    const raw = await RawClient.connect(node.port);
    assert.equal(await raw.call('HELLO', '3', 'AUTH', 'default', 'nope'), WRONGPASS);
    assert.equal(await raw.call('HELLO', '3', 'AUTH', 'nobody', 's3cret'), WRONGPASS);
    assert.equal(await raw.call('GET', 'x'), NOAUTH);
    raw.sendCommand('HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'authed');
    assert.equal(integer(helloFields(await raw.readReply()).get('proto')), 3);
    assert.equal(await raw.call('GET', 'x'), '_\r\n');
    assert.equal(await raw.call('CLIENT', 'GETNAME'), '$6\r\nauthed\r\n');
    raw.close();
  });

  test('RESET drops the authentication', async () => {
    const raw = await RawClient.connect(node.port);
    assert.equal(await raw.call('AUTH', 's3cret'), '+OK\r\n');
    assert.equal(await raw.call('RESET'), '+RESET\r\n');
    assert.equal(await raw.call('GET', 'x'), NOAUTH);
    raw.close();
  });

  test('ioredis with a password works end to end in RESP2 and RESP3', async () => {
    for (const protocol of [2, 3] as const) {
      const redis = pool.open(node.port, { password: 's3cret', protocol });
      assert.equal(await redis.set('authed', String(protocol)), 'OK');
      assert.equal(await redis.get('authed'), String(protocol));
    }

  });

  test('before AUTH, more than 10 arguments or a bulk over 16 KiB is a protocol error that closes the connection', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('*20\r\n');
    assert.equal(await raw.readUntil('\r\n'), '-ERR Protocol error: unauthenticated multibulk length\r\n');
    await raw.waitClosed();
    const bulk = await RawClient.connect(node.port);
    bulk.send('*1\r\n$16385\r\n');
    assert.equal(await bulk.readUntil('\r\n'), '-ERR Protocol error: unauthenticated bulk length\r\n');
    await bulk.waitClosed();
    const atLimit = await RawClient.connect(node.port);
    atLimit.send(`*2\r\n$3\r\nGET\r\n$16384\r\n${'x'.repeat(16384)}\r\n`);
    assert.equal(await atLimit.readUntil('\r\n'), NOAUTH, 'exactly at the limits is still parsed');
    atLimit.close();
  });
});
