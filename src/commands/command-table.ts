// The command table: every declaration from the per-type files, looked up by name, and the
// metadata that is derived from the declarations (ACL categories, COMMAND INFO/DOCS replies,
// key extraction for routing).

import assert from 'node:assert/strict';
import { RespMap, RespSet, SimpleString } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import type { CommandSpec, KeySpecDeclaration, SubcommandSpec } from './command-spec.js';
import { clusterCommands, connectionCommands, serverCommands } from './connection.js';
import { keyCommands } from './keys.js';
import { stringCommands } from './strings.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { listCommands } from './lists.js';
import { sortedSetCommands } from './sorted-sets.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { streamCommands } from './streams.js';
import { streamGroupCommands } from './stream-groups.js';
import { sortCommands } from './sort.js';
import { bitmapCommands } from './bitmaps.js';
import { hyperLogLogCommands } from './hyperloglog.js';
import { lcsCommands } from './lcs.js';
import { geoCommands } from './geo.js';

type AnySpec = CommandSpec | SubcommandSpec;

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  /** Spellings seen on the wire (GET, get, Get) → spec, so the hot path skips toLowerCase. */
  private readonly bySpelling = new Map<string, CommandSpec>();

  constructor(specs: readonly CommandSpec[]) {
    for (const spec of specs) {
      assert.equal(spec.name, spec.name.toLowerCase(), `command names are lower case: ${spec.name}`);
      assert.ok(!this.byName.has(spec.name), `command declared twice: ${spec.name}`);
      assert.ok(spec.arity !== 0, `arity of ${spec.name} must not be 0`);
      this.byName.set(spec.name, spec);
    }
  }

  lookup(name: string): CommandSpec | undefined {
    const cached = this.bySpelling.get(name);
    if (cached !== undefined) return cached;
    const spec = this.byName.get(name.toLowerCase());
    // Only known commands are cached, so a client sending random names cannot grow the cache.
    if (spec !== undefined && this.bySpelling.size < 4096) this.bySpelling.set(name, spec);
    return spec;
  }

  get size(): number {
    return this.byName.size;
  }

  all(): IterableIterator<CommandSpec> {
    return this.byName.values();
  }
}

export const commandTable = new CommandTable([
  ...stringCommands, ...lcsCommands, ...bitmapCommands, ...hyperLogLogCommands, ...keyCommands, ...hashCommands, ...listCommands, ...setCommands, ...sortedSetCommands, ...geoCommands, ...streamCommands, ...streamGroupCommands, ...sortCommands, ...transactionCommands, ...pubsubCommands, ...connectionCommands, ...serverCommands, ...clusterCommands,
]);

export function arityMatches(arity: number, argumentCount: number): boolean {
  return arity > 0 ? argumentCount === arity : argumentCount >= -arity;
}

export function findSubcommand(spec: CommandSpec, name: string): SubcommandSpec | undefined {
  if (spec.subcommands === undefined) return undefined;
  const full = `${spec.name}|${name.toLowerCase()}`;
  return spec.subcommands.find((sub) => sub.name === full);
}

/** ACL categories: the declared ones plus those Redis derives from the flags. */
export function aclCategories(spec: AnySpec): string[] {
  const categories = new Set<string>();
  if (spec.flags.includes('write')) categories.add('write');
  if (spec.flags.includes('readonly')) categories.add('read');
  if (spec.flags.includes('admin')) categories.add('admin').add('dangerous');
  if (spec.flags.includes('pubsub')) categories.add('pubsub');
  if (spec.flags.includes('blocking')) categories.add('blocking');
  for (const category of spec.categories) categories.add(category);
  categories.add(spec.flags.includes('fast') ? 'fast' : 'slow');
  return [...categories].map((category) => `@${category}`);
}

function rangeKeySpec(flags: readonly string[], first: number, lastKey: number, keyStep: number): RespValue {
  const fields: Array<[RespValue, RespValue]> = [];
  if (flags.length > 0) fields.push(['flags', new RespSet(flags.map((flag) => new SimpleString(flag)))]);
  fields.push(
    ['begin_search', new RespMap([['type', 'index'], ['spec', new RespMap([['index', first]])]])],
    ['find_keys', new RespMap([['type', 'range'], ['spec', new RespMap([['lastkey', lastKey], ['keystep', keyStep], ['limit', 0]])]])],
  );
  return new RespMap(fields);
}

function declaredKeySpec(declared: KeySpecDeclaration): RespValue {
  const fields: Array<[RespValue, RespValue]> = [];
  if (declared.notes !== undefined) fields.push(['notes', declared.notes]);
  fields.push(['flags', new RespSet(declared.flags.map((flag) => new SimpleString(flag)))]);
  const { begin, find } = declared;
  fields.push(['begin_search', begin === 'unknown' ? new RespMap([['type', 'unknown'], ['spec', new RespMap([])]])
    : 'index' in begin ? new RespMap([['type', 'index'], ['spec', new RespMap([['index', begin.index]])]])
      : new RespMap([['type', 'keyword'], ['spec', new RespMap([['keyword', begin.keyword], ['startfrom', begin.startFrom]])]])]);
  fields.push(['find_keys', find === 'unknown' ? new RespMap([['type', 'unknown'], ['spec', new RespMap([])]])
    : new RespMap([['type', 'range'], ['spec', new RespMap([['lastkey', find.lastKey], ['keystep', find.keyStep ?? 1], ['limit', 0]])]])]);
  return new RespMap(fields);
}

/** Key specs as Redis 7 shapes them: written out, or from the declared positions and key-spec flags. */
function keySpecs(spec: AnySpec): RespValue[] {
  if (spec.keySpecs !== undefined) return spec.keySpecs.map(declaredKeySpec);
  const { first, last, step } = spec.keys;
  if (step === 0) return [];
  const flags = spec.keySpecFlags ?? [[]];
  if (flags.length === 1) return [rangeKeySpec(flags[0], first, last < 0 ? last : last - first, step)];
  assert.ok(last > 0 && (last - first) / step + 1 === flags.length, `${spec.name}: one key-spec flag list per key`);
  return flags.map((keyFlags, i) => rangeKeySpec(keyFlags, first + i * step, 0, 1));
}

/** One entry of COMMAND / COMMAND INFO, shaped as Redis 7 shapes it. */
export function commandInfo(spec: AnySpec): RespValue {
  const subcommands = 'subcommands' in spec ? (spec.subcommands ?? []) : [];
  return [
    spec.name,
    spec.arity,
    new RespSet(spec.flags.map((flag) => new SimpleString(flag))),
    spec.keys.first,
    spec.keys.last,
    spec.keys.step,
    new RespSet(aclCategories(spec).map((category) => new SimpleString(category))),
    new RespSet(spec.tips ?? []),
    new RespSet(keySpecs(spec)),
    new RespSet(subcommands.map(commandInfo)),
  ];
}

/** One entry of COMMAND DOCS. Argument descriptions are not declared yet. */
export function commandDocs(spec: AnySpec, group: string): RespValue {
  const fields: Array<[RespValue, RespValue]> = [['summary', spec.summary]];
  if (spec.since !== undefined) fields.push(['since', spec.since]);
  fields.push(['group', group]);
  if (spec.complexity !== undefined) fields.push(['complexity', spec.complexity]);
  const subcommands = 'subcommands' in spec ? (spec.subcommands ?? []) : [];
  if (subcommands.length > 0) {
    fields.push(['subcommands', new RespMap(subcommands.map((sub) => [sub.name, commandDocs(sub, group)] as [RespValue, RespValue]))]);
  }
  return new RespMap(fields);
}

/** The key arguments of a command, from its declared positions. */
export function commandKeys(spec: AnySpec, args: readonly string[]): string[] {
  if (spec.findKeys !== undefined) return spec.findKeys(args);
  const { first, last, step } = spec.keys;
  if (step === 0) return [];
  const end = last < 0 ? args.length + last : Math.min(last, args.length - 1);
  const keys: string[] = [];
  for (let i = first; i <= end; i += step) keys.push(args[i]);
  return keys;
}
