// GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE and the older GEORADIUS family
// (Redis's geo.c): positions are members of a sorted set scored by their geohash
// (engine/geohash.ts), so every sorted-set command works on them too.

import { ErrorReply, NullArray, RespDouble } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { SortedSetValue } from '../engine/sorted-set.js';
import {
  decodeScore, distance, distanceIfWithin, fixedDecimal, geohashScore, humanCoordinate, searchRanges, standardGeohash, validPosition,
} from '../engine/geohash.js';
import type { Shape } from '../engine/geohash.js';
import { option, parseFloatArg, parseInt64 } from './arguments.js';
import type { ApplyContext, CommandSpec, KeySpecDeclaration, ReadContext } from './command-spec.js';
import { NOT_FLOAT, NOT_INTEGER, SYNTAX, errorOf, errorReply } from './errors.js';
import { applyBuiltZadd } from './sorted-sets.js';
import { readCollection, writeCollection } from './typed-access.js';


const UNITS: ReadonlyMap<string, number> = new Map([['m', 1], ['km', 1000], ['ft', 0.3048], ['mi', 1609.34]]);

function parseUnit(text: string): number | ErrorReply {
  return UNITS.get(option(text)) ?? errorReply('ERR unsupported unit provided. please use M, KM, FT, MI');
}

function formatC(value: number, digits: number): string {
  return Number.isFinite(value) ? fixedDecimal(value, digits) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
}

/** A longitude and latitude, each a float, together a storable position. */
function parsePosition(longitudeText: string, latitudeText: string): [number, number] | ErrorReply {
  const longitude = parseFloatArg(longitudeText);
  if (longitude === undefined) return NOT_FLOAT;
  const latitude = parseFloatArg(latitudeText);
  if (latitude === undefined) return NOT_FLOAT;
  if (!validPosition(longitude, latitude)) return errorReply(`ERR invalid longitude,latitude pair ${formatC(longitude, 6)},${formatC(latitude, 6)}`);
  return [longitude, latitude];
}

function parseLength(text: string, name: string): number | ErrorReply {
  const value = parseFloatArg(text);
  return value === undefined ? errorReply(`ERR need numeric ${name}`) : value;
}

function coordinates(score: number): RespValue {
  return decodeScore(score).map((value) => new RespDouble(value, humanCoordinate(value)));
}

// ---- GEOADD ----

/** Options, then longitude latitude member triples (Redis's geoaddCommand), as ZADD arguments. */
function zaddArguments(args: readonly string[]): string[] | ErrorReply {
  let at = 2;
  let nx = false;
  let xx = false;
  for (; at < args.length; at++) {
    const name = option(args[at]);
    if (name === 'nx') nx = true;
    else if (name === 'xx') xx = true;
    else if (name !== 'ch') break;
  }
  if ((args.length - at) % 3 !== 0 || (nx && xx)) return SYNTAX;
  const zadd = ['zadd', ...args.slice(1, at)];
  for (let i = at; i < args.length; i += 3) {
    const position = parsePosition(args[i], args[i + 1]);
    if (position instanceof ErrorReply) return position;
    zadd.push(String(geohashScore(...position)), args[i + 2]);
  }
  return zadd;
}

// ---- GEOSEARCH and GEORADIUS ----

type SearchFlavour = 'radius' | 'radius-by-member' | 'search' | 'search-store';

interface SearchRequest {
  /** Undefined when the key is missing and the centre was to be a member of it. */
  readonly center: { readonly longitude: number; readonly latitude: number } | undefined;
  readonly area: { readonly kind: 'radius'; readonly radius: number; readonly toMeters: number }
    | { readonly kind: 'box'; readonly width: number; readonly height: number; readonly toMeters: number } | undefined;
  readonly withDist: boolean;
  readonly withHash: boolean;
  readonly withCoord: boolean;
  readonly sort: 'asc' | 'desc' | undefined;
  readonly count: number;
  readonly any: boolean;
  readonly store: string | undefined;
  readonly storeDist: boolean;
}

function parseRadius(args: readonly string[], at: number): SearchRequest['area'] | ErrorReply {
  const radius = parseLength(args[at], 'radius');
  if (radius instanceof ErrorReply) return radius;
  if (radius < 0) return errorReply('ERR radius cannot be negative');
  const toMeters = parseUnit(args[at + 1]);
  return toMeters instanceof ErrorReply ? toMeters : { kind: 'radius', radius, toMeters };
}

function parseBox(args: readonly string[], at: number): SearchRequest['area'] | ErrorReply {
  const width = parseLength(args[at], 'width');
  if (width instanceof ErrorReply) return width;
  const height = parseLength(args[at + 1], 'height');
  if (height instanceof ErrorReply) return height;
  if (height < 0 || width < 0) return errorReply('ERR height or width cannot be negative');
  const toMeters = parseUnit(args[at + 2]);
  return toMeters instanceof ErrorReply ? toMeters : { kind: 'box', width, height, toMeters };
}

/** Where a member of the searched set is; undefined for every member when the key is missing. */
type Locate = (member: string) => { longitude: number; latitude: number } | ErrorReply | undefined;

/**
 * Every argument in Redis's georadiusGeneric order (the key's type check comes first): a
 * FROMMEMBER or BYMEMBER member is looked up where it is parsed, so its error comes in turn.
 */
function parseSearch(args: readonly string[], flavour: SearchFlavour, readOnly: boolean, locate: Locate): SearchRequest | ErrorReply {
  let center: SearchRequest['center'];
  let area: SearchRequest['area'];
  let base: number;
  if (flavour === 'radius') {
    const position = parsePosition(args[2], args[3]);
    if (position instanceof ErrorReply) return position;
    center = { longitude: position[0], latitude: position[1] };
    const radius = parseRadius(args, 4);
    if (radius instanceof ErrorReply) return radius;
    area = radius;
    base = 6;
  } else if (flavour === 'radius-by-member') {
    const located = locate(args[2]);
    if (located instanceof ErrorReply) return located;
    center = located;
    const radius = parseRadius(args, 3);
    if (radius instanceof ErrorReply) return radius;
    area = radius;
    base = 5;
  } else base = flavour === 'search-store' ? 3 : 2;
  const search = flavour === 'search' || flavour === 'search-store';
  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let sort: SearchRequest['sort'];
  let count = 0;
  let any = false;
  let store = flavour === 'search-store' ? args[1] : undefined;
  let storeDist = false;
  let fromMember = false;
  let fromLonLat = false;
  for (let i = base; i < args.length; i++) {
    const name = option(args[i]);
    const left = args.length - i - 1;
    if (name === 'withdist') withDist = true;
    else if (name === 'withhash') withHash = true;
    else if (name === 'withcoord') withCoord = true;
    else if (name === 'any') any = true;
    else if (name === 'asc' || name === 'desc') sort = name;
    else if (name === 'count' && left >= 1) {
      const value = parseInt64(args[++i]);
      if (value === undefined) return NOT_INTEGER;
      if (value <= 0) return errorReply('ERR COUNT must be > 0');
      count = Number(value);
    } else if ((name === 'store' || name === 'storedist') && left >= 1 && !readOnly && !search) {
      store = args[++i];
      storeDist = name === 'storedist';
    } else if (name === 'storedist' && flavour === 'search-store') storeDist = true;
    else if (name === 'frommember' && left >= 1 && search && !fromLonLat) {
      const located = locate(args[++i]);
      if (located instanceof ErrorReply) return located;
      center = located;
      fromMember = true;
    } else if (name === 'fromlonlat' && left >= 2 && search && !fromMember) {
      const position = parsePosition(args[i + 1], args[i + 2]);
      if (position instanceof ErrorReply) return position;
      center = { longitude: position[0], latitude: position[1] };
      fromLonLat = true;
      i += 2;
    } else if (name === 'byradius' && left >= 2 && search && area?.kind !== 'box') {
      const radius = parseRadius(args, i + 1);
      if (radius instanceof ErrorReply) return radius;
      area = radius;
      i += 2;
    } else if (name === 'bybox' && left >= 3 && search && area?.kind !== 'radius') {
      const box = parseBox(args, i + 1);
      if (box instanceof ErrorReply) return box;
      area = box;
      i += 3;
    } else return SYNTAX;
  }
  if (store !== undefined && (withDist || withHash || withCoord)) {
    return errorReply(`ERR ${flavour === 'search-store' ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (search && !fromMember && !fromLonLat) return errorReply(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${args[0]}`);
  if (search && area === undefined) return errorReply(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${args[0]}`);
  if (any && count === 0) return errorReply('ERR the ANY argument requires COUNT argument');
  return { center, area, withDist, withHash, withCoord, sort, count, any, store, storeDist };
}

interface Found {
  readonly member: string;
  readonly score: number;
  readonly meters: number;
  readonly longitude: number;
  readonly latitude: number;
}

/** The members within the shape, read cell by cell as Redis reads them, stopping at `limit` if any. */
function membersWithin(zset: SortedSetValue, shape: Shape, limit: number): Found[] {
  const found: Found[] = [];
  for (const [min, max] of searchRanges(shape)) {
    if (limit > 0 && found.length >= limit) break;
    const first = zset.firstRankAtLeast({ value: min, exclusive: false });
    const end = zset.firstRankAtLeast({ value: max, exclusive: false });
    for (const [member, score] of zset.rangeByRank(first, end - 1, false)) {
      const [longitude, latitude] = decodeScore(score);
      const meters = distanceIfWithin(shape, longitude, latitude);
      if (meters === undefined) continue;
      found.push({ member, score, meters, longitude, latitude });
      if (limit > 0 && found.length >= limit) break;
    }
  }
  return found;
}

type SearchResult = { readonly found: Found[]; readonly request: SearchRequest } | ErrorReply;

function search(zset: SortedSetValue | undefined, args: readonly string[], flavour: SearchFlavour, readOnly: boolean): SearchResult {
  const locate: Locate = (member) => {
    if (zset === undefined) return undefined;
    const score = zset.score(member);
    if (score === undefined) return errorReply('ERR could not decode requested zset member');
    const [longitude, latitude] = decodeScore(score);
    return { longitude, latitude };
  };
  const request = parseSearch(args, flavour, readOnly, locate);
  if (request instanceof ErrorReply) return request;
  if (zset === undefined || request.center === undefined) return { found: [], request };
  const area = request.area as NonNullable<SearchRequest['area']>;
  const shape: Shape = { ...request.center, ...area };
  const found = membersWithin(zset, shape, request.any ? request.count : 0);
  // COUNT without ANY means the nearest ones: ascending unless DESC (stable, as glibc's qsort).
  const sort = request.sort ?? (request.count > 0 && !request.any ? 'asc' : undefined);
  if (sort !== undefined) found.sort((a, b) => (sort === 'asc' ? a.meters - b.meters : b.meters - a.meters));
  return { found: request.count > 0 ? found.slice(0, request.count) : found, request };
}

function searchReply(result: Exclude<SearchResult, ErrorReply>): RespValue {
  const { request, found } = result;
  const toMeters = (request.area as NonNullable<SearchRequest['area']>).toMeters;
  if (!request.withDist && !request.withHash && !request.withCoord) return found.map((item) => item.member);
  return found.map((item) => [
    item.member,
    ...(request.withDist ? [fixedDecimal(item.meters / toMeters, 4)] : []),
    ...(request.withHash ? [item.score] : []),
    ...(request.withCoord ? [coordinates(item.score)] : []),
  ]);
}

/** STORE/STOREDIST/GEOSEARCHSTORE: the results as a sorted set (scored by geohash or distance); none deletes it. */
function storeResult(context: ApplyContext, result: Exclude<SearchResult, ErrorReply>, store: string): number {
  const { found } = result;
  context.keyspace.delete(store);
  if (found.length === 0) return 0;
  const toMeters = (result.request.area as NonNullable<SearchRequest['area']>).toMeters;
  const zset = new SortedSetValue();
  for (const item of found) zset.add(item.member, result.request.storeDist ? item.meters / toMeters : item.score);
  context.keyspace.set(store, zset);
  context.signalReady(store);
  return found.length;
}

function searchCommand(name: string, flavour: SearchFlavour, readOnly: boolean, summary: string, since: string): CommandSpec {
  const keyAt = flavour === 'search-store' ? 2 : 1;
  const base = {
    name, arity: flavour === 'radius' ? -6 : flavour === 'radius-by-member' ? -5 : flavour === 'search' ? -7 : -8,
    keys: { first: 1, last: keyAt, step: 1 }, categories: ['geo'] as const, group: 'geo' as const, since, summary,
    complexity: 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape',
  };
  if (readOnly) {
    return {
      ...base, kind: 'read', flags: ['readonly'], keySpecFlags: [['RO', 'access']],
      execute: (context: ReadContext, args: readonly string[]) => {
        const zset = readCollection(context, args[keyAt], SortedSetValue);
        if (zset instanceof ErrorReply) return zset;
        const result = search(zset, args, flavour, true);
        return result instanceof ErrorReply ? result : searchReply(result);
      },
    };
  }
  const storeOf = (args: readonly string[]): string | undefined => {
    const request = parseSearch(args, flavour, false, () => undefined);
    return request instanceof ErrorReply ? undefined : request.store;
  };
  const storeAfter = flavour === 'radius' ? 6 : 5;
  const keySpecs: readonly KeySpecDeclaration[] = flavour === 'search-store'
    ? [{ flags: ['OW', 'update'], begin: { index: 1 }, find: { lastKey: 0 } }, { flags: ['RO', 'access'], begin: { index: 2 }, find: { lastKey: 0 } }]
    : [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { lastKey: 0 } },
      ...['STORE', 'STOREDIST'].map((keyword): KeySpecDeclaration => ({ flags: ['OW', 'update'], begin: { keyword, startFrom: storeAfter }, find: { lastKey: 0 } }))];
  return {
    ...base, kind: 'write', flags: flavour === 'search-store' ? ['write', 'denyoom'] : ['write', 'denyoom', 'movablekeys'], keySpecs,
    // Its source and, with STORE, its destination; only the destination is written.
    findKeys: (args) => [args[keyAt], ...[storeOf(args)].filter((key): key is string => key !== undefined && key !== args[keyAt])],
    writtenKeys: (args) => [storeOf(args)].filter((key): key is string => key !== undefined),
    apply: (context: ApplyContext, args: readonly string[]) => {
      const zset = writeCollection(context, args[keyAt], SortedSetValue);
      if (zset instanceof ErrorReply) return zset;
      const result = search(zset, args, flavour, false);
      if (result instanceof ErrorReply) return result;
      return result.request.store === undefined ? searchReply(result) : storeResult(context, result, result.request.store);
    },
  };
}

function readZset(context: ReadContext, key: string): SortedSetValue | undefined | ErrorReply {
  return readCollection(context, key, SortedSetValue);
}

/** GEOPOS and GEOHASH: one reply per member, `missing` where the key or the member is absent. */
function perMember(context: ReadContext, args: readonly string[], missing: RespValue, reply: (score: number) => RespValue): RespValue {
  const zset = readZset(context, args[1]);
  if (zset instanceof ErrorReply) return zset;
  return args.slice(2).map((member) => {
    const score = zset?.score(member);
    return score === undefined ? missing : reply(score);
  });
}

export const geoCommands: readonly CommandSpec[] = [
  {
    name: 'geoadd', kind: 'write', arity: -5, flags: ['write', 'denyoom'], keys: { first: 1, last: 1, step: 1 }, keySpecFlags: [['RW', 'update']], categories: ['geo'],
    group: 'geo', since: '3.2.0', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    summary: 'Adds one or more members to a geospatial index. The key is created if it doesn\'t exist.',
    check: (args) => errorOf(zaddArguments(args)),
    apply: (context, args) => applyBuiltZadd(context, zaddArguments(args) as string[]),
  },
  {
    name: 'geopos', kind: 'read', arity: -2, flags: ['readonly'], keys: { first: 1, last: 1, step: 1 }, keySpecFlags: [['RO', 'access']], categories: ['geo'],
    group: 'geo', since: '3.2.0', complexity: 'O(1) for each member requested.', summary: 'Returns the longitude and latitude of members from a geospatial index.',
    execute: (context, args) => perMember(context, args, NullArray.instance, coordinates),
  },
  {
    name: 'geodist', kind: 'read', arity: -4, flags: ['readonly'], keys: { first: 1, last: 1, step: 1 }, keySpecFlags: [['RO', 'access']], categories: ['geo'],
    group: 'geo', since: '3.2.0', complexity: 'O(1)', summary: 'Returns the distance between two members of a geospatial index.',
    execute: (context, args) => {
      if (args.length > 5) return SYNTAX;
      const toMeters = args.length === 5 ? parseUnit(args[4]) : 1;
      if (toMeters instanceof ErrorReply) return toMeters;
      const zset = readZset(context, args[1]);
      if (zset === undefined || zset instanceof ErrorReply) return zset ?? null;
      const [first, second] = [zset.score(args[2]), zset.score(args[3])];
      if (first === undefined || second === undefined) return null;
      return fixedDecimal(distance(...decodeScore(first), ...decodeScore(second)) / toMeters, 4);
    },
  },
  {
    name: 'geohash', kind: 'read', arity: -2, flags: ['readonly'], keys: { first: 1, last: 1, step: 1 }, keySpecFlags: [['RO', 'access']], categories: ['geo'],
    group: 'geo', since: '3.2.0', complexity: 'O(1) for each member requested.', summary: 'Returns members from a geospatial index as geohash strings.',
    execute: (context, args) => perMember(context, args, null, standardGeohash),
  },
  searchCommand('geosearch', 'search', true, 'Queries a geospatial index for members inside an area of a box or a circle.', '6.2.0'),
  searchCommand('geosearchstore', 'search-store', false, 'Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.', '6.2.0'),
  searchCommand('georadius', 'radius', false, 'Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.', '3.2.0'),
  searchCommand('georadius_ro', 'radius', true, 'Returns members from a geospatial index that are within a distance from a coordinate.', '3.2.10'),
  searchCommand('georadiusbymember', 'radius-by-member', false, 'Queries a geospatial index for members within a distance from a member, optionally stores the result.', '3.2.0'),
  searchCommand('georadiusbymember_ro', 'radius-by-member', true, 'Returns members from a geospatial index that are within a distance from a member.', '3.2.10'),
];
