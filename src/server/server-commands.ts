// Implementations of the commands declared in commands/connection.ts: they act on the
// connection (HELLO, AUTH, CLIENT ...) or on the node (INFO, CONFIG, SHUTDOWN ...).

import { randomBytes } from 'node:crypto';
import { NullArray, OK, RespMap, RespSet, RespVerbatim, SimpleString } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import type { CommandSpec, ServerCommand } from '../commands/command-spec.js';
import { commandTable, commandDocs, commandInfo, commandKeys, arityMatches, aclCategories } from '../commands/command-table.js';
import { DB_OUT_OF_RANGE, NOT_INTEGER, SYNTAX, WRONGPASS, errorReply, subcommandSyntaxError } from '../commands/errors.js';
import { parseInt64 } from '../commands/arguments.js';
import { globMatch } from '../engine/glob.js';
import type { Host } from '../cluster/host.js';
import { encodeTransaction } from '../commands/log-entry.js';
import type { WatchedKeys } from './watched-keys.js';
import type { PubSub } from './pubsub.js';
import type { Evictor } from '../cluster/eviction.js';
import type { Dispatcher } from './dispatcher.js';
import { encodingOf } from '../engine/encoding.js';
import { subscribedPing } from './pubsub.js';
import type { NodeConfig } from './config.js';
import { findParameter, parameters } from './config.js';
import type { Connection } from './connection.js';
import type { ServerStats } from './stats.js';
import { infoText } from './info.js';
import { clusterCommand, readonlyCommand, roleCommand, waitCommand } from './cluster-commands.js';
import { helpReply } from '../commands/help-reply.js';

/** What server commands may see and do of the node around them. */
export interface NodeServices {
  readonly config: NodeConfig;
  readonly stats: ServerStats;
  readonly host: Host;
  readonly clients: ReadonlyMap<number, Connection>;
  readonly runId: string;
  readonly configFile: string | undefined;
  readonly watches: WatchedKeys;
  readonly pubsub: PubSub;
  readonly evictor: Evictor;
  readonly dispatcher: Dispatcher;
  blockedClients(): number;
  /** Applies a validated CONFIG SET to the running node. */
  applyConfig(field: keyof NodeConfig): void;
  shutdown(options: { readonly snapshot: boolean }): void;
}

export const SERVER_VERSION = '7.2.0';
export const SHOAL_VERSION = '0.1.0';

type Handler = (connection: Connection, args: readonly string[]) => void;

/** Client names and library info may not contain spaces, newlines or other specials. */
const VALID_NAME = /^[!-~]*$/;

export class ServerCommandHandlers {
  private readonly handlers: ReadonlyMap<string, Handler>;

  constructor(private readonly node: NodeServices) {
    const handlers = new Map<string, Handler>([
      ['ping', (c, a) => {
        if (a.length > 2) return c.reply(errorReply('ERR wrong number of arguments for \'ping\' command'));
        if (c.inSubscribedMode) return c.reply(subscribedPing(a[1]));
        c.reply(a.length === 1 ? new SimpleString('PONG') : a[1]);
      }],
      ['echo', (c, a) => c.reply(a[1])],
      ['auth', (c, a) => this.auth(c, a)],
      ['hello', (c, a) => this.hello(c, a)],
      ['quit', (c) => {
        c.reply(OK);
        c.closeAfterReplies();
      }],
      ['monitor', (c) => {
        // Redis stays silent on a second MONITOR; a reply keeps this connection's replies in step.
        this.node.dispatcher.monitors.add(c);
        c.reply(OK);
      }],
      ['reset', (c) => {
        c.setReplyMode('on');
        this.node.dispatcher.monitors.forget(c);
        this.node.pubsub.forget(c);
        this.node.dispatcher.tracking.disable(c);
        c.transaction = undefined;
        this.node.watches.unwatchAll(c);
        c.protocol = 2;
        c.name = '';
        c.setAuthenticated(this.node.config.requirepass === '');
        c.reply(new SimpleString('RESET'));
      }],
      ['select', (c, a) => {
        const index = parseInt64(a[1]);
        c.reply(index === undefined ? NOT_INTEGER : index === 0 ? OK : DB_OUT_OF_RANGE);
      }],
      ['client', (c, a) => this.client(c, a)],
      ['info', (c, a) => c.reply(new RespVerbatim('txt', infoText(this.node, a.slice(1))))],
      ['time', (c) => {
        const micros = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
        c.reply([String(micros / 1_000_000n), String(micros % 1_000_000n)]);
      }],
      ['shutdown', (c, a) => this.shutdown(c, a)],
      ['save', (c) => this.save(c.reserveReply(), OK)],
      ['bgsave', (c) => {
        c.reply(new SimpleString('Background saving started'));
        this.save(() => undefined, OK);
      }],
      ['lastsave', (c) => c.reply(Math.floor((this.node.host.dataGroup.lastSaveMs || this.node.stats.startedAtMs) / 1000))],
      ['config', (c, a) => this.config(c, a)],
      ['command', (c, a) => this.command(c, a)],
      ['subscribe', (c, a) => this.node.pubsub.subscribe(c, 'channel', a.slice(1))],
      ['psubscribe', (c, a) => this.node.pubsub.subscribe(c, 'pattern', a.slice(1))],
      ['ssubscribe', (c, a) => this.node.pubsub.subscribe(c, 'shard', a.slice(1))],
      ['unsubscribe', (c, a) => this.node.pubsub.unsubscribe(c, 'channel', a.slice(1))],
      ['punsubscribe', (c, a) => this.node.pubsub.unsubscribe(c, 'pattern', a.slice(1))],
      ['sunsubscribe', (c, a) => this.node.pubsub.unsubscribe(c, 'shard', a.slice(1))],
      ['publish', (c, a) => c.reply(this.node.pubsub.publish(a[1], a[2]))],
      ['spublish', (c, a) => c.reply(this.node.pubsub.shardPublish(a[1], a[2]))],
      ['pubsub', (c, a) => this.pubsubInfo(c, a)],
      ['object', (c, a) => this.object(c, a)],
      ['slowlog', (c, a) => this.slowlog(c, a)],
      ['memory', (c, a) => this.memory(c, a)],
      ['multi', (c) => {
        if (c.transaction !== undefined) return c.reply(errorReply('ERR MULTI calls can not be nested'));
        c.transaction = { queued: [], failed: false };
        c.reply(OK);
      }],
      ['exec', (c) => this.exec(c)],
      ['cluster', (c, a) => clusterCommand(this.node, c, a)],
      ['role', (c) => roleCommand(this.node, c)],
      ['wait', (c, a) => waitCommand(this.node, c, a)],
      ['readonly', (c) => readonlyCommand(c, true)],
      ['readwrite', (c) => readonlyCommand(c, false)],
      ['discard', (c) => {
        if (c.transaction === undefined) return c.reply(errorReply('ERR DISCARD without MULTI'));
        c.transaction = undefined;
        this.node.watches.unwatchAll(c);
        c.reply(OK);
      }],
      ['watch', (c, a) => {
        if (c.transaction !== undefined) return c.reply(errorReply('ERR WATCH inside MULTI is not allowed'));
        for (const key of a.slice(1)) this.node.watches.watch(c, key);
        c.reply(OK);
      }],
      ['unwatch', (c) => {
        this.node.watches.unwatchAll(c);
        c.reply(OK);
      }],
    ]);
    for (const spec of commandTable.all()) {
      if (spec.kind === 'server' && !handlers.has(spec.name)) throw new Error(`server command without handler: ${spec.name}`);
    }
    this.handlers = handlers;
  }

  execute(connection: Connection, spec: ServerCommand, args: readonly string[]): void {
    const handler = this.handlers.get(spec.name);
    if (handler === undefined) throw new Error(`no handler for ${spec.name}`);
    if (spec.subcommands !== undefined && args.length > 1) connection.lastCommand = `${spec.name}|${args[1].toLowerCase()}`;
    handler(connection, args);
  }

  /**
   * EXEC: the queued commands become one log entry, applied atomically. Whether it enters the
   * log at all is decided when it takes its place there (watched keys untouched until then).
   */
  private exec(connection: Connection): void {
    const transaction = connection.transaction;
    if (transaction === undefined) return connection.reply(errorReply('ERR EXEC without MULTI'));
    connection.transaction = undefined;
    const watches = this.node.watches;
    if (transaction.failed) {
      watches.unwatchAll(connection);
      return connection.reply(errorReply('EXECABORT Transaction discarded because of previous errors.'));
    }
    const answer = connection.reserveReply();
    const commands = transaction.queued;
    const gate = () => {
      const abort = watches.mustAbort(connection);
      watches.unwatchAll(connection);
      return abort ? NullArray.instance : undefined;
    };
    this.node.host.dataGroup.propose('exec', encodeTransaction(commands.map((command) => command.args)), (result) => {
      if (!Array.isArray(result)) return answer(result as RespValue);
      const replies: RespValue[] = [...(result as RespValue[])];
      commands.forEach((command, i) => {
        if (command.spec.kind === 'server') replies[i] = connection.capture(() => this.execute(connection, command.spec as ServerCommand, command.args));
      });
      answer(replies);
    }, { gate, watch: connection.watched.size === 0 ? undefined : { keys: [...connection.watched.keys()], abortReply: NullArray.instance } });
  }

  private object(connection: Connection, args: readonly string[]): void {
    const sub = args[1].toLowerCase();
    if (sub === 'help') {
      return connection.reply(helpReply('object', [
        'ENCODING <key>', '    Return the kind of internal representation used in order to store the value', '    associated with a <key>.',
        'FREQ <key>', '    Return the access frequency index of the <key>. The returned integer is', '    proportional to the logarithm of the recent access frequency of the key.',
        'IDLETIME <key>', '    Return the idle time of the <key>, that is the approximated number of', '    seconds elapsed since the last access to the key.',
        'REFCOUNT <key>', '    Return the number of references of the value associated with the specified', '    <key>.',
      ]));
    }
    const group = this.node.host.dataGroup;
    const value = group.machine.keyspace.get(args[2], group.nowMs());
    if (value === undefined) return connection.reply(null);
    if (sub === 'encoding') return connection.reply(encodingOf(value));
    if (sub === 'refcount') return connection.reply(1);
    connection.reply(sub === 'freq' ? this.node.evictor.frequency(args[2]) : this.node.evictor.idleSeconds(args[2]));
  }

  private memory(connection: Connection, args: readonly string[]): void {
    if (args[1].toLowerCase() === 'help') {
      return connection.reply(helpReply('memory', [
        'USAGE <key> [SAMPLES <count>]', '    Return memory in bytes used by <key> and its value. Nested values are', '    sampled up to <count> times (default: 5, 0 means sample all).',
      ]));
    }
    if (args.length !== 3 && (args.length !== 5 || args[3].toLowerCase() !== 'samples')) return connection.reply(SYNTAX);
    const samples = args.length === 5 ? parseInt64(args[4]) : undefined;
    if (args.length === 5 && samples === undefined) return connection.reply(NOT_INTEGER);
    if (samples !== undefined && samples < 0) return connection.reply(SYNTAX);
    const group = this.node.host.dataGroup;
    const keyspace = group.machine.keyspace;
    if (keyspace.get(args[2], group.nowMs()) === undefined) return connection.reply(null);
    // Without SAMPLES: the estimate used_memory and maxmemory go by.
    connection.reply(samples === undefined ? keyspace.approximateKeyBytes(args[2]) : keyspace.sampledKeyBytes(args[2], Number(samples)));
  }

  private pubsubInfo(connection: Connection, args: readonly string[]): void {
    const pubsub = this.node.pubsub;
    switch (args[1].toLowerCase()) {
      case 'channels':
      case 'shardchannels':
        if (args.length > 3) return connection.reply(subcommandSyntaxError(args[1], 'pubsub'));
        return connection.reply(pubsub.channels(args[1].toLowerCase() === 'channels' ? 'channel' : 'shard', args[2]));
      case 'numsub':
      case 'shardnumsub': {
        const kind = args[1].toLowerCase() === 'numsub' ? 'channel' : 'shard';
        // A flat array in RESP3 too, as Redis replies.
        return connection.reply(args.slice(2).flatMap((channel) => [channel, pubsub.subscriberCount(kind, channel)]));
      }
      case 'numpat':
        return connection.reply(pubsub.patternCount);
      default:
        return connection.reply(helpReply('pubsub', [
          'CHANNELS [<pattern>]', '    Return the currently active channels matching a <pattern> (default: \'*\').',
          'NUMPAT', '    Return number of subscriptions to patterns.',
          'NUMSUB [<channel> ...]', '    Return the number of subscribers for the specified channels, excluding', '    pattern subscriptions(default: no channels).',
          'SHARDCHANNELS [<pattern>]', '    Return the currently active shard level channels matching a <pattern> (default: \'*\').',
          'SHARDNUMSUB [<shardchannel> ...]', '    Return the number of subscribers for the specified shard level channel(s)',
        ]));
    }
  }

  private checkPassword(username: string, password: string): boolean {
    if (username !== 'default') return false;
    return this.node.config.requirepass === '' || password === this.node.config.requirepass;
  }

  private auth(connection: Connection, args: readonly string[]): void {
    if (args.length > 3) return connection.reply(SYNTAX);
    if (args.length === 2 && this.node.config.requirepass === '') {
      return connection.reply(errorReply('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?'));
    }
    const [username, password] = args.length === 3 ? [args[1], args[2]] : ['default', args[1]];
    if (!this.checkPassword(username, password)) return connection.reply(WRONGPASS);
    connection.setAuthenticated(true);
    connection.reply(OK);
  }

  private hello(connection: Connection, args: readonly string[]): void {
    let protocol = connection.protocol;
    let credentials: [string, string] | undefined;
    let name: string | undefined;
    if (args.length > 1) {
      const version = parseInt64(args[1]);
      if (version === undefined) return connection.reply(errorReply('ERR Protocol version is not an integer or out of range'));
      if (version !== 2 && version !== 3) return connection.reply(errorReply('NOPROTO unsupported protocol version'));
      protocol = version;
    }
    for (let i = 2; i < args.length; i++) {
      const option = args[i].toLowerCase();
      const remaining = args.length - i - 1;
      if (option === 'auth' && remaining >= 2) {
        credentials = [args[i + 1], args[i + 2]];
        i += 2;
      } else if (option === 'setname' && remaining >= 1) {
        name = args[++i];
        if (!VALID_NAME.test(name)) return connection.reply(errorReply('ERR Client names cannot contain spaces, newlines or special characters.'));
      } else return connection.reply(errorReply(`ERR Syntax error in HELLO option '${args[i]}'`));
    }
    if (credentials !== undefined) {
      if (!this.checkPassword(credentials[0], credentials[1])) return connection.reply(WRONGPASS);
      connection.setAuthenticated(true);
    }
    if (!connection.authenticated) {
      return connection.reply(errorReply('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time'));
    }
    if (name !== undefined) connection.name = name;
    connection.protocol = protocol;
    connection.reply(new RespMap([
      ['server', 'redis'], ['version', SERVER_VERSION], ['proto', protocol], ['id', connection.id],
      ['mode', 'standalone'], ['role', 'master'], ['modules', []],
    ]));
  }

  private client(connection: Connection, args: readonly string[]): void {
    const sub = args[1].toLowerCase();
    switch (sub) {
      case 'id':
        return connection.reply(connection.id);
      case 'getname':
        return connection.reply(connection.name === '' ? null : connection.name);
      case 'reply': {
        const mode = args[2].toLowerCase();
        if (mode !== 'on' && mode !== 'off' && mode !== 'skip') return connection.reply(SYNTAX);
        connection.setReplyMode(mode);
        return connection.reply(OK);
      }
      case 'setname':
        if (!VALID_NAME.test(args[2])) return connection.reply(errorReply('ERR Client names cannot contain spaces, newlines or special characters.'));
        connection.name = args[2];
        return connection.reply(OK);
      case 'setinfo': {
        const attribute = args[2].toLowerCase();
        if (attribute !== 'lib-name' && attribute !== 'lib-ver') return connection.reply(errorReply(`ERR Unrecognized option '${args[2]}'`));
        if (!VALID_NAME.test(args[3])) return connection.reply(errorReply(`ERR ${attribute} cannot contain spaces, newlines or special characters.`));
        if (attribute === 'lib-name') connection.libName = args[3];
        else connection.libVersion = args[3];
        return connection.reply(OK);
      }
      case 'info':
        return connection.reply(new RespVerbatim('txt', `${this.describe(connection)}\n`));
      case 'list':
        return this.clientList(connection, args);
      case 'kill':
        return this.clientKill(connection, args);
      case 'tracking':
        return connection.reply(this.clientTracking(connection, args));
      case 'caching': {
        const tracking = connection.tracking;
        if (tracking === undefined || (!tracking.optin && !tracking.optout)) {
          return connection.reply(errorReply('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled'));
        }
        const answer = args[2].toLowerCase();
        if (answer !== 'yes' && answer !== 'no') return connection.reply(SYNTAX);
        if ((answer === 'yes' && !tracking.optin) || (answer === 'no' && !tracking.optout)) {
          return connection.reply(errorReply(`ERR CLIENT CACHING ${answer.toUpperCase()} is only valid when tracking is enabled in ${answer === 'yes' ? 'OPTIN' : 'OPTOUT'} mode.`));
        }
        tracking.cachingNext = answer === 'yes';
        return connection.reply(OK);
      }
      case 'getredir':
        return connection.reply(connection.tracking === undefined ? -1 : connection.tracking.redirect);
      case 'trackinginfo': {
        const tracking = connection.tracking;
        const flags = tracking === undefined ? ['off'] : ['on', ...(tracking.bcast ? ['bcast'] : []), ...(tracking.optin ? ['optin'] : []), ...(tracking.optout ? ['optout'] : []), ...(tracking.noloop ? ['noloop'] : [])];
        return connection.reply(new RespMap([
          ['flags', new RespSet(flags.map((flag) => new SimpleString(flag)))],
          ['redirect', tracking === undefined ? -1 : tracking.redirect],
          ['prefixes', tracking === undefined ? [] : [...tracking.prefixes]],
        ]));
      }
      case 'no-evict':
      case 'no-touch': {
        const answer = args[2].toLowerCase();
        if (answer !== 'on' && answer !== 'off') return connection.reply(SYNTAX);
        if (sub === 'no-evict') connection.noEvict = answer === 'on';
        else connection.noTouch = answer === 'on';
        return connection.reply(OK);
      }
      case 'pause': {
        const timeoutMs = parseInt64(args[2]);
        if (timeoutMs === undefined || typeof timeoutMs !== 'number') return connection.reply(errorReply('ERR timeout is not an integer or out of range'));
        if (timeoutMs < 0) return connection.reply(errorReply('ERR timeout is negative'));
        const mode = args.length === 4 ? args[3].toLowerCase() : 'all';
        if (args.length > 4 || (mode !== 'all' && mode !== 'write')) return connection.reply(SYNTAX);
        this.node.dispatcher.pauseClients(mode, timeoutMs);
        return connection.reply(OK);
      }
      case 'unpause':
        this.node.dispatcher.unpauseClients();
        return connection.reply(OK);
      case 'help':
        return connection.reply(helpReply('client', [
          'ID', '    Return the ID of the current connection.',
          'GETNAME', '    Return the name of the current connection.',
          'REPLY (ON|OFF|SKIP)', '    Control the replies sent to the current connection.',
          'SETNAME <name>', '    Assign the name <name> to the current connection.',
          'SETINFO <LIB-NAME|LIB-VER> <value>', '    Set client library name and version.',
          'INFO', '    Return information about the current client connection.',
          'LIST [TYPE NORMAL] [ID <id> [<id> ...]]', '    Return information about client connections.',
          'KILL <ip:port> | KILL <option> <value> [<option> <value> [...]]', '    Kill connections by ID, ADDR, LADDR, USER or SKIPME.',
        ]));
    }
  }

  private clientTracking(connection: Connection, args: readonly string[]): RespValue {
    const state = args[2].toLowerCase();
    if (state !== 'on' && state !== 'off') return SYNTAX;
    let redirect = 0;
    let bcast = false;
    let optin = false;
    let optout = false;
    let noloop = false;
    const prefixes: string[] = [];
    for (let i = 3; i < args.length; i++) {
      const option = args[i].toLowerCase();
      if (option === 'redirect' && i + 1 < args.length) {
        const id = parseInt64(args[++i]);
        if (id === undefined || typeof id !== 'number') return NOT_INTEGER;
        if (id !== connection.id && !this.node.clients.has(id)) return errorReply('ERR The client ID you want redirect to does not exist');
        redirect = id;
      } else if (option === 'prefix' && i + 1 < args.length) prefixes.push(args[++i]);
      else if (option === 'bcast') bcast = true;
      else if (option === 'optin') optin = true;
      else if (option === 'optout') optout = true;
      else if (option === 'noloop') noloop = true;
      else return SYNTAX;
    }
    const tracking = this.node.dispatcher.tracking;
    if (state === 'off') {
      tracking.disable(connection);
      return OK;
    }
    if (prefixes.length > 0 && !bcast) return errorReply('ERR PREFIX option requires BCAST mode to be enabled');
    if (optin && optout) return errorReply('ERR You can\'t use OPTIN and OPTOUT at the same time');
    if (bcast && (optin || optout)) return errorReply('ERR OPTIN and OPTOUT are not compatible with BCAST');
    tracking.enable(connection, { redirect, bcast, prefixes, optin, optout, noloop });
    return OK;
  }

  private slowlog(connection: Connection, args: readonly string[]): void {
    const slowlog = this.node.dispatcher.slowlog;
    switch (args[1].toLowerCase()) {
      case 'get': {
        const count = args.length === 3 ? parseInt64(args[2]) : 10;
        if (count === undefined || typeof count !== 'number' || count < -1) return connection.reply(errorReply('ERR count should be greater than or equal to -1'));
        return connection.reply(slowlog.newest(count));
      }
      case 'len':
        return connection.reply(slowlog.length);
      case 'reset':
        slowlog.reset();
        return connection.reply(OK);
      default:
        return connection.reply(helpReply('slowlog', [
          'GET [<count>]', '    Return top <count> entries from the slowlog (default: 10, -1 mean all).', '    Entries are made of:', '    id, timestamp, time in microseconds, arguments array, client IP and port,', '    client name',
          'LEN', '    Return the length of the slowlog.',
          'RESET', '    Reset the slowlog.',
        ]));
    }
  }

  private clientList(connection: Connection, args: readonly string[]): void {
    let ids: Set<number> | undefined;
    for (let i = 2; i < args.length; i++) {
      const option = args[i].toLowerCase();
      if (option === 'type' && i + 1 < args.length) {
        const type = args[++i].toLowerCase();
        if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) return connection.reply(errorReply(`ERR Unknown client type '${args[i]}'`));
        if (type !== 'normal') ids = new Set();
      } else if (option === 'id' && i + 1 < args.length) {
        ids = new Set();
        for (i++; i < args.length; i++) {
          const id = parseInt64(args[i]);
          if (id === undefined || typeof id !== 'number' || id <= 0) return connection.reply(errorReply('ERR Invalid client ID'));
          ids.add(id);
        }
      } else return connection.reply(SYNTAX);
    }
    let text = '';
    for (const client of this.node.clients.values()) {
      if (ids === undefined || ids.has(client.id)) text += `${this.describe(client)}\n`;
    }
    connection.reply(new RespVerbatim('txt', text));
  }

  private clientKill(connection: Connection, args: readonly string[]): void {
    if (args.length === 3) {
      const target = [...this.node.clients.values()].find((client) => client.remoteAddress === args[2]);
      if (target === undefined) return connection.reply(errorReply('ERR No such client'));
      connection.reply(OK);
      return this.kill(connection, target);
    }
    const filters: Array<(client: Connection) => boolean> = [];
    let skipMe = true;
    if (args.length % 2 !== 0) return connection.reply(SYNTAX);
    for (let i = 2; i < args.length; i += 2) {
      const option = args[i].toLowerCase();
      const value = args[i + 1];
      if (option === 'id') {
        const id = parseInt64(value);
        if (id === undefined || typeof id !== 'number' || id <= 0) return connection.reply(errorReply('ERR client-id should be greater than 0'));
        filters.push((client) => client.id === id);
      } else if (option === 'addr') filters.push((client) => client.remoteAddress === value);
      else if (option === 'laddr') filters.push((client) => client.localAddress === value);
      else if (option === 'user') {
        // Until ACL users land, 'default' is the only user every connection has.
        if (value !== 'default') return connection.reply(errorReply(`ERR No such user '${value}'`));
      }
      else if (option === 'type') {
        const type = value.toLowerCase();
        if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) return connection.reply(errorReply(`ERR Unknown client type '${value}'`));
        filters.push(() => type === 'normal');
      } else if (option === 'skipme') {
        const answer = value.toLowerCase();
        if (answer !== 'yes' && answer !== 'no') return connection.reply(SYNTAX);
        skipMe = answer === 'yes';
      } else if (option === 'maxage') {
        const maxAge = parseInt64(value);
        if (maxAge === undefined || typeof maxAge !== 'number') return connection.reply(NOT_INTEGER);
        filters.push((client) => Date.now() - client.createdAtMs >= maxAge * 1000);
      } else return connection.reply(SYNTAX);
    }
    const victims = [...this.node.clients.values()].filter((client) => (!skipMe || client !== connection) && filters.every((f) => f(client)));
    connection.reply(victims.length);
    for (const victim of victims) this.kill(connection, victim);
  }

  /** Killing yourself still delivers the reply first, as Redis does. */
  private kill(self: Connection, victim: Connection): void {
    if (victim === self) victim.closeAfterReplies();
    else victim.socket.destroy();
  }

  private describe(client: Connection): string {
    const nowMs = Date.now();
    const ageSeconds = Math.floor((nowMs - client.createdAtMs) / 1000);
    const idleSeconds = Math.floor((nowMs - client.lastInteractionMs) / 1000);
    const outputBytes = client.socket.writableLength;
    return [
      `id=${client.id}`, `addr=${client.remoteAddress}`, `laddr=${client.localAddress}`, `fd=-1`, `name=${client.name}`,
      `age=${ageSeconds}`, `idle=${idleSeconds}`, 'flags=N', 'db=0', 'sub=0', 'psub=0', 'ssub=0', 'multi=-1',
      `qbuf=${client.bufferedInputBytes}`, 'qbuf-free=0', 'argv-mem=0', 'multi-mem=0', 'rbs=0', 'rbp=0',
      'obl=0', `oll=${client.queuedCommands}`, `omem=${outputBytes}`, `tot-mem=${outputBytes + client.bufferedInputBytes}`,
      'events=r', `cmd=${client.lastCommand}`, 'user=default', 'redir=-1', `resp=${client.protocol}`,
      `lib-name=${client.libName}`, `lib-ver=${client.libVersion}`,
    ].join(' ');
  }

  private shutdown(connection: Connection, args: readonly string[]): void {
    const options = new Set<string>();
    for (const arg of args.slice(1)) {
      const option = arg.toLowerCase();
      if (!['nosave', 'save', 'now', 'force', 'abort'].includes(option)) return connection.reply(SYNTAX);
      options.add(option);
    }
    // As in Redis: ABORT takes no other option, and SAVE and NOSAVE contradict each other.
    if ((options.has('abort') && options.size > 1) || (options.has('save') && options.has('nosave'))) return connection.reply(SYNTAX);
    if (options.has('abort')) return connection.reply(errorReply('ERR No shutdown in progress.'));
    this.node.shutdown({ snapshot: !options.has('nosave') });
  }

  private save(answer: (reply: RespValue) => void, success: RespValue): void {
    this.node.host.dataGroup.snapshot().then(
      () => answer(success),
      (error: unknown) => answer(errorReply(`ERR snapshot failed: ${error instanceof Error ? error.message : String(error)}`)),
    );
  }

  private config(connection: Connection, args: readonly string[]): void {
    const sub = args[1].toLowerCase();
    if (sub === 'get') {
      const entries: Array<[RespValue, RespValue]> = [];
      const seen = new Set<string>();
      for (const pattern of args.slice(2)) {
        for (const [name, value] of this.configEntries()) {
          if (!seen.has(name) && globMatch(pattern, name, true)) {
            seen.add(name);
            entries.push([name, value]);
          }
        }
      }
      return connection.reply(new RespMap(entries));
    }
    if (sub === 'set') return connection.reply(this.configSet(args));
    if (sub === 'resetstat') {
      this.node.stats.reset();
      return connection.reply(OK);
    }
    return connection.reply(helpReply('config', [
      'GET <pattern>', '    Return parameters matching the glob-like <pattern> and their values.',
      'SET <directive> <value>', '    Set the configuration <directive> to <value>.',
      'RESETSTAT', '    Reset statistics reported by the INFO command.',
    ]));
  }

  /** Every CONFIG GET-able setting, including fixed ones tools commonly ask for. */
  private configEntries(): Array<[string, string]> {
    const entries: Array<[string, string]> = parameters.map((p) => [p.name, p.format(this.node.config[p.field])]);
    entries.push(['databases', '1'], ['appendonly', 'yes'], ['save', ''], ['cluster-enabled', 'no']);
    return entries;
  }

  private configSet(args: readonly string[]): RespValue {
    if (args.length % 2 !== 0) return SYNTAX;
    const changes: Array<[ReturnType<typeof findParameter> & object, unknown]> = [];
    for (let i = 2; i < args.length; i += 2) {
      const parameter = findParameter(args[i]);
      if (parameter === undefined) return errorReply(`ERR Unknown option or number of arguments for CONFIG SET - '${args[i]}'`);
      if (changes.some(([earlier]) => earlier === parameter)) return errorReply(`ERR CONFIG SET failed (possibly related to argument '${args[i]}') - duplicate parameter`);
      if (!parameter.mutable) return errorReply(`ERR CONFIG SET failed (possibly related to argument '${args[i]}') - can't set immutable config`);
      const value = parameter.parse(args[i + 1]);
      if (typeof value === 'object' && value !== null && 'error' in value) {
        return errorReply(`ERR CONFIG SET failed (possibly related to argument '${args[i]}') - ${value.error}`);
      }
      changes.push([parameter, value]);
    }
    for (const [parameter, value] of changes) {
      (this.node.config as unknown as Record<string, unknown>)[parameter.field] = value;
      this.node.applyConfig(parameter.field);
    }
    return OK;
  }

  private command(connection: Connection, args: readonly string[]): void {
    const sub = args.length > 1 ? args[1].toLowerCase() : 'all';
    const specs = [...commandTable.all()];
    switch (sub) {
      case 'all':
        return connection.reply(specs.map(commandInfo));
      case 'count':
        return connection.reply(specs.length);
      case 'info':
        return connection.reply(args.length === 2 ? specs.map(commandInfo) : args.slice(2).map((name) => {
          const spec = commandTable.lookup(name);
          return spec === undefined ? null : commandInfo(spec);
        }));
      case 'docs': {
        const chosen = args.length === 2 ? specs : args.slice(2).map((name) => commandTable.lookup(name)).filter((spec) => spec !== undefined);
        return connection.reply(new RespMap(chosen.map((spec) => [spec.name, commandDocs(spec, spec.group)] as [RespValue, RespValue])));
      }
      case 'list':
        return connection.reply(this.commandList(specs, args));
      case 'getkeys': {
        const spec = commandTable.lookup(args[2]);
        if (spec === undefined) return connection.reply(errorReply('ERR Invalid command specified'));
        if (!arityMatches(spec.arity, args.length - 2)) return connection.reply(errorReply('ERR Invalid number of arguments specified for command'));
        const keys = commandKeys(spec, args.slice(2));
        return connection.reply(keys.length === 0 ? errorReply('ERR The command has no key arguments') : keys);
      }
      default:
        return connection.reply(helpReply('command', [
          '(no subcommand)', '    Return details about all commands.',
          'COUNT', '    Return the total number of commands.',
          'INFO [<command-name> ...]', '    Return details about multiple commands.',
          'DOCS [<command-name> ...]', '    Return documentation details about multiple commands.',
          'LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]', '    Return a list of all commands.',
          'GETKEYS <full-command>', '    Return the keys from a full command.',
        ]));
    }
  }

  private commandList(specs: readonly CommandSpec[], args: readonly string[]): RespValue {
    if (args.length === 2) return specs.map((spec) => spec.name);
    if (args.length !== 5 || args[2].toLowerCase() !== 'filterby') return SYNTAX;
    const kind = args[3].toLowerCase();
    const value = args[4];
    if (kind === 'module') return [];
    if (kind === 'aclcat') return specs.filter((spec) => aclCategories(spec).includes(`@${value.toLowerCase()}`)).map((spec) => spec.name);
    if (kind === 'pattern') return specs.filter((spec) => globMatch(value, spec.name, true)).map((spec) => spec.name);
    return SYNTAX;
  }
}

export function newRunId(): string {
  return randomBytes(20).toString('hex');
}

