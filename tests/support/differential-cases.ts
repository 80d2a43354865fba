// The table of command sequences the differential test runs against redis-server and Shoal.
//
// A sequence is one string: commands separated by " | ", arguments by spaces. An argument in
// double quotes may hold anything ("" is empty, "a b" one argument with a space, "|" a literal
// bar; \\ and \" are the only escapes, binary bytes come from the TypeScript string itself).
// A command starting with "~" has an unordered reply: its top-level elements are compared as a
// multiset (KEYS, SMEMBERS...).
//
// Left out on purpose: replies that differ by design or by time (TIME, INFO, HELLO, CLIENT
// LIST/INFO/ID, COMMAND COUNT/INFO/DOCS, SCAN cursors, PTTL right after a relative expire, other
// databases — Shoal has one keyspace) and cases where the installed Redis 7.0 differs from the
// 7.2 that Shoal follows (double formatting of non-dyadic fractions; INCRBYFLOAT's long double,
// which does not overflow at 2e308; SCAN cursors "-1" and "", accepted by 7.0's strtoul and
// refused by 7.2's string2ull; SCAN TYPE of an unknown type, an error since 7.2).

import assert from 'node:assert/strict';

export interface DifferentialCommand {
  readonly args: readonly string[];
  readonly unordered: boolean;
}

/** Far in the future (2100-01-01) so absolute expiry times are exact on both servers. */
export const FAR_SECONDS = 4102444800;

const STRINGS_SET = [
  'SET a 1 | GET a | GET missing | SET a "" | GET a | STRLEN a | SET "" empty | GET ""',
  'set a v | Set a w | sEt a x nx | GET a',
  'SET a v NX | SET a w NX | GET a | SET b w XX | GET b | SET a x XX | GET a',
  'SET a v NX GET | SET a w NX GET | SET a w GET NX | GET a',
  'SET a v XX GET | SET a v | SET a w XX GET | SET a x GET XX | GET a',
  'SET a v GET | SET a w GET | GET a',
  'RPUSH l x | SET l v GET | TYPE l | SET l v NX GET | SET l v XX GET | TYPE l | SET l v | TYPE l | GET l',
  'HSET h f v | SET h v NX | TYPE h | SET h v XX | TYPE h | GET h',
  'SET a v NX XX | SET a v XX NX | SET a v EX 10 PX 10 | SET a v EX 10 KEEPTTL | SET a v KEEPTTL PX 10 | SET a v EXAT 10 PXAT 10 | SET a v EX 10 EXAT 10 | EXISTS a',
  'SET a v EX | SET a v PX | SET a v EXAT | SET a v PXAT | SET a v FOO | SET a v NX FOO | SET a v GET GET | EXISTS a',
  'SET a v EX 0 | SET a v EX -1 | SET a v PX 0 | SET a v PX -100 | SET a v EXAT 0 | SET a v PXAT 0 | SET a v EXAT -1 | SET a v PXAT -5 | EXISTS a',
  'SET a v EX abc | SET a v EX 1.5 | SET a v EX "" | SET a v PX " 1" | SET a v EX 1e3 | SET a v EX 0x10 | SET a v EX 9223372036854775808 | EXISTS a',
  'SET a v EX -9223372036854775808 | SET a v PX -9223372036854775808 | SET a v EXAT 9223372036854775807 | SET a v EX 9223372036854775807 | EXISTS a',
  `SET a v EX 100 | TTL a | SET a w KEEPTTL | TTL a | GET a | SET a x | TTL a`,
  `SET a v EXAT ${FAR_SECONDS} | EXPIRETIME a | PEXPIRETIME a | TTL a | SET a w KEEPTTL GET | EXPIRETIME a`,
  `SET a v PXAT ${FAR_SECONDS * 1000 + 123} | PEXPIRETIME a | EXPIRETIME a | SET a v PXAT ${FAR_SECONDS * 1000 + 999} | EXPIRETIME a`,
  'SET a v PXAT 1000 | EXISTS a | SET a v | SET a w EXAT 1 GET | EXISTS a | GET a',
  'SET a v | SET a w PXAT 1 NX | SET a w PXAT 1 XX | EXISTS a | SET b w EXAT 1 XX | EXISTS b',
  'SET a v EX 100 | SET a w PX 200000 | TTL a | SET a x ex 300 | TTL a | SET a y px 400000 | TTL a',
  'SET a v NX EX 100 | TTL a | SET a w XX KEEPTTL GET | TTL a | GET a',
  'SET a | SET | SET a v EX 10 20 | EXISTS a',
  'SET a v EX 10 EX 200 | TTL a | SET a v PX 100 PX 300000 | TTL a | SET a v KEEPTTL KEEPTTL | TTL a | SET a v NX NX | SET a v XX XX | SET a v EXAT 1 EXAT 5000000000 | EXISTS a',
  'SET a v PX 9223372036854775807 | SET a v EX 9223372036854775 | SET a v PX 9223372036854775 | EXISTS a',
  'SET a v EX 92233720368547 | TTL a | SET b v PX 92233720368547758 | TTL b',
  'SET a v EXAT 9223372036854775 | SET a v PXAT 9223372036854775807 | EXISTS a',
  'SET "\u0000\r\n\u00ff" "\u0000\u0001\r\n\u0080" | GET "\u0000\r\n\u00ff" | STRLEN "\u0000\r\n\u00ff" | EXISTS "\u0000\r\n\u00ff" | TYPE "\u0000\r\n\u00ff"',
];

const STRINGS_SETNX_SETEX = [
  'SETNX a 1 | SETNX a 2 | GET a | SETNX | SETNX a | SETNX a 1 2',
  'SETEX a 100 v | TTL a | GET a | SETEX a 0 v | SETEX a -1 v | SETEX a abc v | SETEX a 1.5 v | SETEX a 100 | SETEX a | GET a',
  'PSETEX a 100000 v | TTL a | PSETEX a 0 v | PSETEX a -5 v | PSETEX a x v | PSETEX a 100 | GET a',
  'SETEX a 9223372036854775807 v | SETEX a -9223372036854775808 v | SETEX a 9223372036854775 v | PSETEX a 9223372036854775807 v | PSETEX a 9223372036854775 v | EXISTS a',
  'RPUSH l x | SETNX l v | SETEX l 100 v | TYPE l | GET l | TTL l',
  'SET a v EX 100 | SETNX a w | TTL a | SETEX a 200 w | TTL a | PSETEX a 300000 x | TTL a | GET a',
];

const STRINGS_GETSET_GETDEL_GETEX = [
  'GETSET a 1 | GETSET a 2 | GET a | GETSET a | GETSET a 1 2',
  'SET a 1 EX 100 | GETSET a 2 | TTL a | GET a',
  'RPUSH l x | GETSET l v | TYPE l | GETDEL l | TYPE l',
  'SET a v | GETDEL a | GETDEL a | EXISTS a | GETDEL | GETDEL a b',
  'SET a v EX 100 | GETDEL a | TTL a',
  'GETEX missing | GETEX missing EX 10 | SET a v | GETEX a | TTL a | GETEX a EX 100 | TTL a | GETEX a PX 200000 | TTL a | GETEX a PERSIST | TTL a',
  `SET a v | GETEX a EXAT ${FAR_SECONDS} | EXPIRETIME a | GETEX a PXAT ${FAR_SECONDS * 1000 + 7} | PEXPIRETIME a | GETEX a persist | PEXPIRETIME a`,
  'SET a v | GETEX a EX 0 | GETEX a EX -1 | GETEX a PX 0 | GETEX a EXAT 0 | GETEX a PXAT -1 | GETEX a EX abc | TTL a | GET a',
  'SET a v | GETEX a EX 10 PX 10 | GETEX a PERSIST EX 10 | GETEX a EX 10 PERSIST | GETEX a FOO | GETEX a EX | GETEX a PERSIST PERSIST | GETEX a NX | TTL a',
  'SET a v | GETEX a EXAT 1 | EXISTS a | SET a v | GETEX a PXAT 1 | EXISTS a',
  'SET a v | GETEX a EX 9223372036854775807 | GETEX a PX 9223372036854775807 | GETEX a EXAT 9223372036854775807 | TTL a',
  'RPUSH l x | GETEX l | GETEX l EX 10 | GETEX l PERSIST | TTL l | GETDEL l | TYPE l',
  'GETEX | GETEX a EX 1 2',
  'GETEX missing EX 0 | GETEX missing PX -1 | GETEX missing EX x | GETEX missing EXAT 0 | GETEX missing EX 9223372036854775807 | RPUSH l x | GETEX l EX 0 | GETEX l EX x',
  'SET a v | GETEX a EX 9223372036854775 | GETEX a PX 9223372036854775 | GETEX a EXAT 9223372036854775 | EXPIRETIME a | GETEX a EX 92233720368547 | TTL a',
];

const STRINGS_MULTI_KEY = [
  'MSET a 1 b 2 | MGET a b c | MGET c | MGET a a a | MSET a 3 | MSET a | MSET | MGET',
  'MSET a 1 b 2 a 3 | GET a | MSETNX c 3 a 9 | GET c | MSETNX c 3 d 4 | MGET a b c d | MSETNX e 1 e 2 | GET e',
  'MSETNX a | MSETNX a 1 b | MSETNX | EXISTS a b',
  'RPUSH l x | SET s v | MGET l s missing | MSET l v | TYPE l | MSETNX l w x y | GET x',
  'SET a v EX 100 | MSET a w | TTL a | SET b v EX 100 | MSETNX b w c w | TTL b',
  'MSET "\u0000" "\r\n" "\u00ff" "" | MGET "\u0000" "\u00ff" | MSETNX "\u0000" x y z | MGET y',
];

const STRINGS_INCR = [
  'INCR n | INCR n | INCRBY n 10 | INCRBY n -20 | DECR n | DECRBY n 5 | DECRBY n -5 | GET n',
  'INCRBY n abc | INCRBY n "" | INCRBY n 1.5 | INCRBY n " 1" | INCRBY n "1 " | INCRBY n +1 | INCRBY n 0x1 | INCRBY n 9223372036854775808 | EXISTS n',
  'SET n 9223372036854775806 | INCR n | INCR n | GET n | INCRBY n 0 | DECRBY n -1 | INCRBY n -9223372036854775808 | GET n',
  'SET n -9223372036854775807 | DECR n | DECR n | DECRBY n 1 | GET n | INCRBY n 9223372036854775807 | GET n',
  'SET n 0 | DECRBY n -9223372036854775808 | DECRBY n 9223372036854775807 | DECRBY n 2 | GET n',
  'SET n 5 | DECRBY n -9223372036854775808 | INCRBY n -9223372036854775808 | GET n',
  'SET n " 1" | INCR n | SET n "1 " | INCR n | SET n +1 | INCR n | SET n 01 | INCR n | SET n -0 | INCR n | SET n 1.0 | INCR n | SET n "" | INCR n | SET n abc | DECR n',
  'SET n 9223372036854775808 | INCR n | SET n -9223372036854775809 | DECR n | SET n 18446744073709551615 | INCRBY n 1 | GET n',
  'SET n 0 | INCR n | SET n -1 | INCR n | INCR n | GET n | SET n 1e3 | INCR n',
  'RPUSH l x | INCR l | DECR l | INCRBY l 1 | DECRBY l 1 | INCRBYFLOAT l 1 | TYPE l',
  'SET n 10 EX 100 | INCR n | TTL n | DECRBY n 3 | TTL n | INCRBYFLOAT n 0.5 | TTL n | GET n',
  'INCR | INCR a b | INCRBY a | INCRBY a 1 2 | DECR | DECRBY a | INCRBYFLOAT a | DECRBY a 1 2',
  'SET n "\u00001" | INCR n | SET n "1\u0000" | INCR n | GET n',
];

const STRINGS_INCRBYFLOAT = [
  'INCRBYFLOAT f 1.5 | INCRBYFLOAT f 2.25 | INCRBYFLOAT f -0.75 | GET f | INCRBYFLOAT f 5 | INCRBYFLOAT f -8 | GET f',
  'SET f 5.0e3 | INCRBYFLOAT f 2.0e2 | SET f 3.0 | INCRBYFLOAT f 0 | SET f 10 | INCRBYFLOAT f 1.0e1 | INCRBYFLOAT f 0.5E1',
  'INCRBYFLOAT f x | INCRBYFLOAT f "" | INCRBYFLOAT f " 1" | INCRBYFLOAT f "1 " | INCRBYFLOAT f inf | INCRBYFLOAT f -inf | INCRBYFLOAT f nan | INCRBYFLOAT f +inf | EXISTS f',
  'SET f abc | INCRBYFLOAT f 1 | SET f "" | INCRBYFLOAT f 1 | SET f " 2" | INCRBYFLOAT f 1 | SET f inf | INCRBYFLOAT f 1 | SET f 0x10 | INCRBYFLOAT f 1',
    'SET f 1 | INCRBYFLOAT f 1 2 | GET f',
  'INCRBYFLOAT f -0.5 | INCRBYFLOAT f 0.5 | GET f | INCRBYFLOAT f .5 | INCRBYFLOAT f 5. | GET f',
  'SET f 7 | INCRBYFLOAT f 3 | GET f | INCR f | SET f 2.5 | INCR f',
];

const STRINGS_APPEND_RANGE = [
  'APPEND a Hello | APPEND a " World" | GET a | STRLEN a | APPEND a "" | STRLEN a | APPEND b "" | EXISTS b | STRLEN b',
  'SET a 1 | APPEND a 2 | GET a | INCR a | APPEND a "\u0000\u00ff" | STRLEN a | GET a',
  'RPUSH l x | APPEND l x | STRLEN l | GETRANGE l 0 -1 | SETRANGE l 0 x | TYPE l',
  'SET a v EX 100 | APPEND a w | TTL a | SETRANGE a 0 z | TTL a | GET a',
  'APPEND | APPEND a | APPEND a b c | STRLEN | STRLEN a b',
  'SET a "Hello World" | GETRANGE a 0 4 | GETRANGE a -5 -1 | GETRANGE a 5 2 | GETRANGE a 0 100 | GETRANGE a -100 -50 | GETRANGE a -100 2 | GETRANGE a 3 -100 | GETRANGE a 10 10 | GETRANGE a 11 11 | GETRANGE a -1 -1',
  'SET a abc | GETRANGE a 0 -1 | GETRANGE a 1 1 | GETRANGE a 2 1 | GETRANGE a -2 -3 | GETRANGE a 0 9223372036854775807 | GETRANGE a -9223372036854775808 1 | GETRANGE a 0 -9223372036854775808',
  'GETRANGE missing 0 -1 | SET e "" | GETRANGE e 0 -1 | GETRANGE e 0 0 | GETRANGE e -1 0 | SET n 12345 | GETRANGE n 1 3',
  'SET a abc | GETRANGE a x 1 | GETRANGE a 0 y | GETRANGE a 1.5 2 | GETRANGE a 0 9223372036854775808 | GETRANGE a 0 | GETRANGE a | GETRANGE a 0 1 2',
  'SETRANGE a 5 x | GET a | STRLEN a | SETRANGE a 0 Hello | GET a | SETRANGE a 2 "" | SETRANGE a 100 "" | STRLEN a | SETRANGE b 3 "" | EXISTS b',
  'SET a "Hello World" | SETRANGE a 6 Redis | GET a | SETRANGE a 10 "long tail" | GET a | SETRANGE a 0 "\u0000\u00ff" | GETRANGE a 0 1',
  'SET a abc | SETRANGE a -1 x | SETRANGE a x x | SETRANGE a 536870912 x | SETRANGE a 536870911 xx | SETRANGE a 9223372036854775807 x | GET a',
  'SETRANGE b 536870912 x | SETRANGE b -1 "" | SETRANGE b 536870912 "" | EXISTS b | SET a abc | SETRANGE a 536870911 "" | GET a',
  'SETRANGE | SETRANGE a 0 | SETRANGE a 0 x y',
  'SET a 100 | SETRANGE a 1 5 | GET a | INCR a | SETRANGE a 0 "" | GET a',
];

const STRINGS_WRONGTYPE = [
  'SADD s x | GET s | GETRANGE s 0 1 | STRLEN s | APPEND s x | INCR s | INCRBYFLOAT s 1 | SETRANGE s 0 x | GETDEL s | GETEX s | GETSET s x | TYPE s',
  'HSET h f v | MGET h | GETEX h PERSIST | SETNX h v | TYPE h | SET h v GET | TYPE h | SET h v | GET h',
];

const KEYS_BASIC = [
  'MSET a 1 b 2 c 3 | EXISTS a a b missing | DEL a a missing | EXISTS a | UNLINK b c b | EXISTS b c | DEL a | DEL | UNLINK | EXISTS',
  'SET a 1 | TOUCH a a missing | TOUCH missing | TOUCH | DEL a | TOUCH a',
  'SET s x | RPUSH l x | SADD set x | HSET h f x | ZADD z 1 x | TYPE s | TYPE l | TYPE set | TYPE h | TYPE z | TYPE missing | TYPE | TYPE a b',
  'SET "\u0000" x | SET "\r\n" y | SET "\u00ff\u0080" z | EXISTS "\u0000" "\r\n" "\u00ff\u0080" | DEL "\r\n" | TYPE "\u00ff\u0080" | DBSIZE',
  'SET a 1 | SET A 2 | GET a | GET A | DBSIZE | DEL A | GET a',
  'DBSIZE | SET a 1 | RPUSH b x | DBSIZE | DBSIZE x | FLUSHALL | DBSIZE | FLUSHALL SYNC | FLUSHALL ASYNC | FLUSHALL BAD | FLUSHALL SYNC ASYNC | FLUSHDB | FLUSHDB BAD',
  'RANDOMKEY | SET only 1 | RANDOMKEY | RANDOMKEY x | DEL only | RANDOMKEY',
];

const KEYS_EXPIRE = [
  'SET k v | TTL k | PTTL k | EXPIRETIME k | PEXPIRETIME k | TTL missing | PTTL missing | EXPIRETIME missing | PEXPIRETIME missing',
  'SET k v | EXPIRE k 100 | TTL k | EXPIRE k 100 NX | EXPIRE k 50 GT | EXPIRE k 500 LT | EXPIRE k 500 GT | TTL k | EXPIRE k 200 LT | TTL k | EXPIRE k 300 XX | TTL k',
  'SET k v | EXPIRE k 100 XX | TTL k | EXPIRE k 100 GT | TTL k | EXPIRE k 100 LT | TTL k | EXPIRE k 200 NX | TTL k',
  'SET k v | EXPIRE k 1 NX XX | EXPIRE k 1 GT LT | EXPIRE k 1 NX GT | EXPIRE k 1 NX LT | EXPIRE k 1 XX GT | EXPIRE k 1 BAD | EXPIRE k 1 nx | TTL k',
  'SET k v | EXPIRE k 1 XX LT GT | EXPIRE k 100 gt | EXPIRE k 100 Lt | EXPIRE k 100 xx | TTL k | EXPIRE k 50 GT GT | TTL k',
  'SET k v | EXPIRE k abc | EXPIRE k 1.5 | EXPIRE k "" | EXPIRE k 9223372036854775807 | EXPIRE k 9223372036854775 | EXPIRE k -9223372036854775808 | EXPIRE k 9223372036854775808 | TTL k',
  'SET k v | PEXPIRE k 9223372036854775807 | PEXPIRE k -9223372036854775808 | EXPIREAT k 9223372036854775807 | PEXPIREAT k abc | TTL k',
  'SET k v | EXPIRE k 0 | EXISTS k | SET k v | EXPIRE k -1 | EXISTS k | SET k v | PEXPIRE k 0 | EXISTS k | SET k v | EXPIREAT k 1 | EXISTS k | SET k v | PEXPIREAT k 1 | EXISTS k',
  'EXPIRE missing abc | EXPIRE missing 9223372036854775807 | EXPIRE missing 10 BAD | PEXPIREAT missing -1 | EXPIRE missing 10 NX XX',
  'EXPIRE missing 10 | PEXPIRE missing 10 | EXPIREAT missing 10 | PEXPIREAT missing 10 | EXPIRE missing 0 | EXPIRE missing 10 NX | PERSIST missing',
  `SET k v | EXPIREAT k ${FAR_SECONDS} | EXPIRETIME k | PEXPIRETIME k | EXPIREAT k ${FAR_SECONDS} NX | EXPIREAT k ${FAR_SECONDS + 1} GT | EXPIRETIME k | EXPIREAT k ${FAR_SECONDS - 1} LT | EXPIRETIME k | EXPIREAT k ${FAR_SECONDS} XX | EXPIRETIME k`,
  `SET k v | PEXPIREAT k ${FAR_SECONDS * 1000 + 1} | PEXPIRETIME k | EXPIRETIME k | PEXPIREAT k ${FAR_SECONDS * 1000 + 1} GT | PEXPIREAT k ${FAR_SECONDS * 1000 + 2} GT | PEXPIRETIME k | PEXPIREAT k ${FAR_SECONDS * 1000 - 1} LT | PEXPIRETIME k`,
  `SET k v | PEXPIREAT k ${FAR_SECONDS * 1000 + 499} | EXPIRETIME k | PEXPIREAT k ${FAR_SECONDS * 1000 + 500} | EXPIRETIME k | PEXPIREAT k ${FAR_SECONDS * 1000 + 999} | EXPIRETIME k`,
  'SET k v | PEXPIRE k 100000 | TTL k | PEXPIRE k 100000 NX | PEXPIRE k 200000 GT | TTL k | PEXPIRE k 300000 LT | PEXPIRE k 1 1 | TTL k',
  'SET k v EX 100 | PERSIST k | PERSIST k | TTL k | EXPIRE k 100 | SET k w | TTL k | EXPIRE k 100 | GETSET k x | TTL k | EXPIRE k 100 | APPEND k y | TTL k',
  'SET k v | EXPIRE k 100 | RENAME k j | TTL j | EXPIRE j 0 GT | EXISTS j | EXPIRE j -5 LT | EXISTS j',
  'SET k v | EXPIRE k 100 | EXPIRE k -1 GT | EXISTS k | SET k v | EXPIRE k -1 XX | EXISTS k | SET k v | EXPIRE k -1 NX | EXISTS k',
  'EXPIRE | EXPIRE k | PEXPIRE k | EXPIREAT k | PEXPIREAT | TTL | TTL a b | PTTL | EXPIRETIME | PEXPIRETIME a b | PERSIST | PERSIST a b',
  'RPUSH l x | EXPIRE l 100 | TTL l | TYPE l | PERSIST l | TTL l | HSET h f v | PEXPIRE h 100000 | TTL h',
];

const KEYS_RENAME_COPY = [
  'SET k v | MOVE k 0 | MOVE nokey 0 | MOVE k abc | MOVE k -1 | MOVE k 99999999999 | MOVE k 16 | SWAPDB 0 0 | SWAPDB a 0 | SWAPDB 0 a | SWAPDB 16 a | SWAPDB 0 16 | SWAPDB -1 0 | SWAPDB | MOVE k | GET k | MULTI | MOVE k 0 | SWAPDB 0 0 | EXEC',
  'SET x 1 | RENAME x y | GET y | EXISTS x | RENAME x y | RENAME missing missing | RENAME y y | GET y',
  'SET x 1 | RPUSH l a | RENAME x l | TYPE l | GET l | RENAME l x | TYPE x',
  'SET x 1 EX 100 | SET y 2 EX 200 | RENAME x y | TTL y | GET y | SET z 3 | SET w 4 EX 100 | RENAME z w | TTL w',
  'SET x 1 | SET y 2 | RENAMENX x y | RENAMENX x z | EXISTS x z | RENAMENX z z | RENAMENX missing a | RENAMENX missing missing | GET z',
  'RENAME | RENAME a | RENAME a b c | RENAMENX a | RENAMENX a b c',
  'SET "\u0000" 1 | RENAME "\u0000" "\r\n" | GET "\r\n" | RENAMENX "\r\n" "\u00ff" | GET "\u00ff"',
  'SET a v EX 100 | COPY a b | GET b | TTL b | SET c other | COPY a c | GET c | COPY a c REPLACE | GET c | TTL c',
  'SET a v | COPY a a | COPY a a REPLACE | COPY missing b | COPY missing missing | EXISTS b | COPY a b FOO | COPY a b REPLACE REPLACE | GET b',
  'SET a v | COPY a b DB 0 | COPY a b DB | COPY a b DB x | COPY a c DB 0 REPLACE | COPY a d DB -1 | MGET b c d',
  'RPUSH l a b c | COPY l m | RPUSH m d | LRANGE l 0 -1 | LRANGE m 0 -1 | HSET h f v | COPY h l | COPY h l REPLACE | TYPE l | HGETALL l',
  'SADD s a | COPY s t | SADD t b | SCARD s | SCARD t | ZADD z 1 a | COPY z y | ZADD y 2 b | ZCARD z',
  'COPY | COPY a | SET a v | SET b w EX 100 | COPY a b REPLACE | TTL b | GET b',
];

const KEYS_PATTERNS = [
  'MSET hello 1 hallo 1 hxllo 1 hllo 1 heeeello 1 | ~KEYS h?llo | ~KEYS h*llo | ~KEYS h[ae]llo | ~KEYS h[^e]llo | ~KEYS h[a-b]llo | ~KEYS * | KEYS nomatch | ~KEYS h*',
  'MSET a*b 1 axb 1 "a?b" 1 "a[b" 1 "a\\\\b" 1 | KEYS "a\\\\*b" | KEYS "a\\\\?b" | ~KEYS "a?b" | KEYS "a\\\\[b" | KEYS "a\\\\\\\\b" | ~KEYS "a[*?]b"',
  'MSET abc 1 ABC 1 a 1 | ~KEYS [a-c]* | ~KEYS [A-C]?? | KEYS "[" | KEYS "a[" | ~KEYS "[c-a]*" | KEYS "[^a]" | ~KEYS "*[bB]*"',
  'MSET x1 1 x2 1 x10 1 | ~KEYS x? | ~KEYS x?? | ~KEYS x[0-9] | ~KEYS x[!1] | ~KEYS x[^1]* | KEYS x | KEYS | KEYS a b',
  'SET "\u0000k" 1 | SET "k\u00ff" 1 | KEYS "\u0000*" | KEYS "*\u00ff" | KEYS "?k"',
];

const KEYS_SCAN = [
  'SCAN 0 | SET a 1 | SCAN 0 | SCAN 0 MATCH a | SCAN 0 MATCH b | SCAN 0 TYPE string | SCAN 0 TYPE list | SCAN 0 COUNT 10 MATCH a* TYPE string',
  'SCAN abc | SCAN 1.5 | SCAN 0 COUNT 0 | SCAN 0 COUNT -1 | SCAN 0 COUNT x | SCAN 0 MATCH | SCAN 0 TYPE | SCAN 0 COUNT | SCAN 0 FOO bar | SCAN',
  'RPUSH l x | SCAN 0 TYPE list | SCAN 0 TYPE LIST | SCAN 0 match l count 5 type list',
  'SCAN 18446744073709551616 | SCAN 0 COUNT 9223372036854775807 | SCAN 0 COUNT 9223372036854775808',
];

const CONNECTION_AND_SERVER = [
  'SET a 1 | WAIT 0 0 | WAIT 1 10 | WAIT abc 0 | WAIT 0 abc | WAIT 0 -1 | WAIT 0 1.5 | WAIT -1 0 | MULTI | WAIT 1 0 | SET b 2 | EXEC | WAIT | WAIT 1 2 3',
  'PING | PING hello | PING "" | PING a b | ECHO hi | ECHO "" | ECHO | ECHO a b | ping | echo "\u0000\r\n"',
  'SELECT 0 | SELECT -1 | SELECT x | SELECT 1.5 | SELECT | SELECT 0 0 | SELECT 99999999999999999999',
  'NOSUCH | NOSUCH x y | nosuch "a b" | "" | GETT a | "a\r\nb" x | NOSUCH "x\r\ny" | GET a "\r\n"',
  `NOSUCH ${'x'.repeat(200)} | NOSUCH a ${'y'.repeat(150)} b`,
  'GET | GET a b | SET a | DEL | MGET | MSET a | STRLEN | APPEND a | INCRBY a | GETRANGE a 0 | SETRANGE a 0 | EXISTS | TYPE | KEYS | SCAN | RANDOMKEY a | DBSIZE a | TOUCH | UNLINK | RENAME a | COPY a',
  'CONFIG | CONFIG FOO | CONFIG GET | CONFIG SET | CONFIG SET maxclients | CONFIG SET nonsense 1 | CONFIG GET nonsense | CONFIG GET maxclients | CONFIG GET maxclien? | CONFIG RESETSTAT x',
  'CONFIG SET appendfsync sometimes | CONFIG SET maxclients abc | CONFIG SET maxclients -5 | CONFIG GET maxclients | CONFIG SET maxclients 10000 | CONFIG GET maxclients',
  'CONFIG GET maxclients nonsense maxclients | CONFIG SET maxclients 9000 maxclients 9001 | CONFIG GET maxclients | CONFIG SET maxclients 10000',
  'CLIENT | CLIENT FOO | CLIENT GETNAME | CLIENT SETNAME | CLIENT SETNAME "a b" | CLIENT SETNAME "a\nb" | CLIENT SETNAME ok-name | CLIENT GETNAME | CLIENT SETNAME "" | CLIENT GETNAME | CLIENT GETNAME x',
  'CLIENT KILL 1.2.3.4:5 | CLIENT KILL ID 999999 | CLIENT KILL ID x | CLIENT KILL ADDR 1.2.3.4:5 | CLIENT KILL FOO bar | CLIENT KILL | CLIENT KILL ID',
  'COMMAND INFO nosuchcommand | COMMAND GETKEYS MSET a 1 b 2 | COMMAND GETKEYS GET a | COMMAND GETKEYS PING x | COMMAND GETKEYS NOSUCH a | COMMAND GETKEYS | COMMAND FOO | COMMAND GETKEYS SET a',
  'COMMAND GETKEYS COPY a b | COMMAND GETKEYS RENAME a b | COMMAND GETKEYS DEL a b c | COMMAND GETKEYS EXISTS x | COMMAND GETKEYS GETEX a PERSIST',
  'AUTH x | AUTH default x | AUTH nobody x | AUTH | AUTH a b c',
  'HELLO 4 | HELLO 0 | HELLO abc | HELLO 1 | HELLO -1 | HELLO 3 FOO | HELLO 2 AUTH nobody pass | HELLO 2 AUTH default | HELLO 2 SETNAME | HELLO 2 SETNAME "a b"',
  'TIME x | LASTSAVE x | SHUTDOWN FOO | SHUTDOWN NOSAVE SAVE',
  'QUIT',
];

/** Types beyond strings (issue 3), kept so the comparison covers the whole keyspace. */
const COLLECTIONS = [
  'HSET h a 1 b 2 | HGET h a | HMGET h a z | HDEL h a z | HLEN h | HEXISTS h b | HSTRLEN h b | HINCRBY h b 5 | HINCRBY h c x | HINCRBYFLOAT h b 1.5 | HSET h s x | HINCRBY h s 1 | HINCRBYFLOAT h s 1 | HSETNX h s y | HGETALL h | HKEYS h | HVALS h | HSET h a | HGETALL none',
  'RPUSH l a b c d | LRANGE l 0 -1 | LRANGE l -2 10 | LRANGE l 5 1 | LINDEX l -1 | LINDEX l 10 | LSET l 0 A | LSET l 9 x | LSET none 0 x | LINSERT l BEFORE c x | LINSERT l AFTER zz x | LINSERT l MIDDLE c x | LREM l 0 x | LTRIM l 1 -2 | LRANGE l 0 -1 | LPOP l 2 | RPOP l | RPOP l | LPOP l -1 | LLEN l',
  'RPUSH l a b a c a | LPOS l a | LPOS l a RANK 2 | LPOS l a RANK -1 | LPOS l a COUNT 0 | LPOS l a COUNT 2 RANK -1 | LPOS l a MAXLEN 2 COUNT 0 | LPOS l z | LPOS l a RANK 0 | LPOS l a COUNT -1 | LMOVE l m LEFT RIGHT | RPOPLPUSH l m | LRANGE m 0 -1 | LMPOP 2 none l LEFT COUNT 2 | LMPOP 1 none LEFT | LMPOP 0 l LEFT',
  'SADD s a b c | SADD s a | SREM s a z | SCARD s | SISMEMBER s b | SMISMEMBER s b z | SADD t b x | SINTERCARD 2 s t | SINTERCARD 0 s | SINTERCARD 3 s t | ~SDIFF s t | SMOVE s t c | SMOVE s t zz | SINTERSTORE u s t | SDIFFSTORE u s s | EXISTS u | SPOP none | SPOP s -1',
  'ZADD z 1 a 2 b 3 c 2 bb | ZRANGE z 0 -1 WITHSCORES | ZRANGEBYSCORE z (1 +inf LIMIT 1 2 | ZREVRANGE z 0 1 | ZRANK z bb | ZADD z XX CH 5 a 7 zz | ZADD z INCR 1 a | ZCOUNT z -inf (3 | ZPOPMIN z | ZPOPMAX z 2 | ZUNIONSTORE u 2 z z WEIGHTS 1 2 | ZRANGE u 0 -1 WITHSCORES | ZADD z NX XX 1 a | ZADD z x a | ZADD z GT LT 1 a | ZADD z INCR 1 a 2 b | ZRANGEBYSCORE z a b | ZSCORE u bb | ZMSCORE u bb none | ZCARD u | ZREM u bb x',
];

/** Hashes: arity, number parsing and overflow, empty and missing keys, wrong types. */
const HASHES = [
  'HSET h | HSET h f | HSET h f v g | HMSET h f v | HMSET h | HGET h | HGET h f x | HDEL h | HLEN | HSETNX h f | HSTRLEN h | HEXISTS h | HGETALL h',
  'HSET h f 10 | HINCRBY h f 9223372036854775797 | HINCRBY h f 1 | HINCRBY h f -1 | HINCRBY h f abc | HINCRBY h f 1.5 | HINCRBY h g -9223372036854775808 | HINCRBY h g -1 | HINCRBY h g "" | HGETALL h',
  'HSET h f 1.5 | HINCRBYFLOAT h f inf | HINCRBYFLOAT h f -inf | HINCRBYFLOAT none f +inf | HINCRBYFLOAT h f nan | HINCRBYFLOAT h f abc | HINCRBYFLOAT h g 3.0 | HINCRBYFLOAT h g 0.5 | HINCRBYFLOAT h g -3.5 | HGET h g | HSET h s "  1" | HINCRBYFLOAT h s 1 | HINCRBY h s 1 | HGETALL h',
  'HSET h a 1 b 2 c 3 | HDEL h a b c | EXISTS h | HDEL h a | HLEN h | HSETNX h a 1 | HSETNX h a 2 | HGET h a | HMGET none a b | HKEYS none | HVALS none | HGETALL none | HSTRLEN none a | HEXISTS none a | HDEL none a',
  'SET str v | HSET str f v | HGET str f | HMGET str f | HDEL str f | HLEN str | HEXISTS str f | HKEYS str | HVALS str | HGETALL str | HINCRBY str f 1 | HINCRBYFLOAT str f 1 | HSTRLEN str f | HSETNX str f v | HRANDFIELD str | HSCAN str 0 | GET str',
  'HRANDFIELD none | HRANDFIELD none 5 | HRANDFIELD none 5 WITHVALUES | HSET h a 1 | HRANDFIELD h | HRANDFIELD h 1 | HRANDFIELD h -3 | HRANDFIELD h 0 | HRANDFIELD h abc | HRANDFIELD h 1 FOO | HRANDFIELD h -2 WITHVALUES | ~HRANDFIELD h 10 | HRANDFIELD h 1 WITHVALUES x',
  'HRANDFIELD h abc FOO | HRANDFIELD h -9223372036854775808 | HRANDFIELD h -4611686018427387904 WITHVALUES | HRANDFIELD h 4611686018427387904 WITHVALUES | HRANDFIELD h 9223372036854775807 | HSCAN h 0 FOO | HSCAN h abc FOO',
  'HSET h a 1 | HSCAN h 0 | HSCAN h 0 MATCH a* | HSCAN h 0 MATCH z* | HSCAN h 0 COUNT 0 | HSCAN h abc | HSCAN none 0 | HSCAN h 0 COUNT | HSCAN h 0 FOO 1',
];

/** Lists: arity, ranges and indexes out of bounds, counts, moves onto themselves, wrong types. */
const LISTS = [
  'LPUSH l | RPUSH l | LPUSHX l a | RPUSHX l a | EXISTS l | LPUSH l a | LPUSHX l b c | RPUSHX l d | LRANGE l 0 -1 | LPUSHX none a | LLEN none | LPOP none | RPOP none | LPOP none 2 | LPOP l 0 | RPOP l 0 | LPOP l abc | LRANGE l 0 -1',
  'RPUSH l a b c | LINDEX l abc | LRANGE l a b | LTRIM l a b | LSET l abc x | LPOS l a RANK abc | LPOS l a MAXLEN -1 | LPOS l a FOO | LREM l abc a | LINSERT l before a x | LINSERT l BEFORE | LMOVE l l LEFT LEFT | LMOVE l l RIGHT LEFT | LRANGE l 0 -1 | LMOVE l m UP DOWN | RPOPLPUSH none m | LMOVE none m LEFT LEFT | EXISTS m',
  'RPUSH l a b c d e | LTRIM l 10 20 | EXISTS l | RPUSH l a b c | LTRIM l -100 100 | LRANGE l 0 -1 | LTRIM l 2 1 | EXISTS l | RPUSH l x | LREM l -1 x | EXISTS l | RPUSH l a a b a | LREM l -2 a | LRANGE l 0 -1 | LREM l 0 zz | LINDEX l -100 | LSET l -1 z | LRANGE l -100 -50 | LRANGE l 0 -1',
  'SET str v | LPUSH str a | RPUSH str a | LPUSHX str a | LPOP str | RPOP str | LLEN str | LRANGE str 0 -1 | LINDEX str 0 | LSET str 0 a | LINSERT str BEFORE a b | LREM str 0 a | LTRIM str 0 1 | LPOS str a | LMOVE str l LEFT LEFT | RPUSH l a | LMOVE l str LEFT LEFT | LRANGE l 0 -1 | LMPOP 1 str LEFT | BLPOP str 0 | BLMPOP 0 1 str LEFT | GET str',
  'BLPOP | BLPOP l | BLPOP l abc | BLPOP l -1 | BLPOP l 0.001 | BRPOP l 0.01 | BLMOVE l m LEFT RIGHT abc | BLMPOP abc 1 l LEFT | BLMPOP 0 0 l LEFT | BLMPOP 0 1 l UP | BLMPOP 0.01 1 l LEFT COUNT 0 | RPUSH l a b | BLPOP l 0 | BLMPOP 0 1 l RIGHT COUNT 5 | BRPOPLPUSH none m 0.01 | EXISTS l m',
  'RPUSH a 1 2 3 | RPUSH b x | LMPOP 2 a b RIGHT COUNT 2 | LMPOP 2 none b LEFT COUNT 10 | LMPOP 2 none none LEFT | LMPOP -1 a LEFT | LMPOP 3 a b LEFT | LMPOP 1 a LEFT COUNT -1 | LMPOP 1 a LEFT COUNT 1 COUNT 2 | LMPOP 1 a MIDDLE | EXISTS a b',
];

/** Sets: counts, missing keys as empty sets, wrong types anywhere among the keys. */
const SETS = [
  'SADD s | SREM s | SADD s a | SPOP s 0 | SPOP s | EXISTS s | SADD s a b | ~SPOP s 5 | EXISTS s | SRANDMEMBER none | SRANDMEMBER none 3 | SADD s x | SRANDMEMBER s -3 | SRANDMEMBER s 0 | SRANDMEMBER s abc | ~SRANDMEMBER s 10 | SPOP s abc | SPOP s 1 2 | SPOP none 2',
  'SADD a 1 2 3 | SADD b 2 3 4 | ~SINTER a b | ~SUNION a b | ~SDIFF a b none | ~SINTER a none | SINTERSTORE d a none | EXISTS d | SUNIONSTORE d a b | SCARD d | SDIFFSTORE d b a | ~SMEMBERS d | SMOVE a a 1 | SMOVE a b 9 | SMOVE none b 1 | SINTERCARD 2 a b LIMIT 1 | SINTERCARD 2 a b LIMIT 0 | SINTERCARD 2 a b LIMIT -1 | SINTERCARD abc a | SINTERCARD 1 a b',
  'SET str v | SADD s a | SADD str a | SREM str a | SMEMBERS str | SISMEMBER str a | SMISMEMBER str a | SCARD str | SPOP str | SRANDMEMBER str | SINTER s str | SINTER none str | SUNION s str | SDIFF s str | SDIFF none str | SINTERSTORE d s str | SMOVE str s a | SMOVE s str a | SINTERCARD 2 s str | EXISTS d | SMEMBERS s',
  'SSCAN none 0 MATCH | SSCAN none x | SET str v | SSCAN str 0 FOO | SSCAN str x | SRANDMEMBER s -9223372036854775808 | SRANDMEMBER s 1 2 | SRANDMEMBER s abc 2 | SINTERCARD 1 s LIMIT abc | SINTERCARD 1 s LIMIT 1 LIMIT 0 | SINTERCARD 3 s',
  'SADD s a | SSCAN s 0 | SSCAN s 0 MATCH z* | SSCAN s 0 COUNT abc | SSCAN none 0 | SMISMEMBER s | SMISMEMBER none a b | SISMEMBER none a | SCARD none | SMEMBERS none',
];

/** Sorted sets: score parsing (inf, nan), flag combinations, every range form, set algebra. */
const SORTED_SETS = [
  'ZADD z 1 a | ZADD z | ZADD z 1 | ZADD z 1 a 2 | ZADD z nan a | ZADD z inf a | ZADD z -inf b | ZADD z +inf c | ZRANGE z 0 -1 WITHSCORES | ZADD z INCR inf a | ZADD z INCR -inf a | ZSCORE z a | ZINCRBY z abc a | ZINCRBY z 1 | ZINCRBY z 1.5 new | ZSCORE z new',
  'ZADD z 1 a 2 b 3 c | ZADD z NX 10 a 4 d | ZADD z XX 10 a 5 e | ZADD z GT 5 a | ZADD z LT 20 a | ZADD z GT CH 11 a 1 b | ZADD z LT CH 0 a | ZADD z NX GT 1 a | ZADD z XX INCR 1 zz | ZADD z NX INCR 1 a | ZADD z GT INCR -100 b | ZRANGE z 0 -1 WITHSCORES',
  'ZADD z 1 a 2 b 3 c 4 d | ZRANGE z 1 2 REV | ZRANGE z (1 3 BYSCORE | ZRANGE z 3 (1 BYSCORE REV | ZRANGE z - + BYLEX LIMIT 1 2 | ZRANGE z [b (d BYLEX | ZRANGE z 0 -1 LIMIT 0 1 | ZRANGE z 0 1 BYSCORE LIMIT 0 | ZRANGE z a b BYSCORE | ZRANGE z a b BYLEX | ZRANGE z 0 -1 WITHSCORES BYLEX | ZRANGE z -inf +inf BYSCORE LIMIT 1 -1 WITHSCORES | ZRANGE z +inf -inf BYSCORE REV LIMIT 0 2',
  'ZADD z 0 a 0 b 0 c 0 d | ZRANGEBYLEX z - + | ZRANGEBYLEX z [b + LIMIT 1 1 | ZREVRANGEBYLEX z + - LIMIT 0 2 | ZLEXCOUNT z [a (c | ZLEXCOUNT z a b | ZREMRANGEBYLEX z [a [b | ZRANGE z 0 -1 | ZREMRANGEBYLEX z x y | ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 1 | ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 1 | ZRANGEBYSCORE z x y',
  'ZADD z 1 a 2 b 3 c 4 d 5 e | ZREMRANGEBYRANK z 0 0 | ZREMRANGEBYRANK z -1 -1 | ZREMRANGEBYRANK z 5 10 | ZREMRANGEBYSCORE z (2 3 | ZRANGE z 0 -1 WITHSCORES | ZREMRANGEBYSCORE z abc 1 | ZREMRANGEBYRANK z a b | ZREVRANK z b | ZRANK z zz | ZRANK none a | ZPOPMIN z 0 | ZPOPMIN z -1 | ZPOPMAX none | ZPOPMAX z 10 | EXISTS z',
  'ZADD a 1 x 2 y | ZADD b 3 y 4 z | ZUNION 2 a b WITHSCORES | ZINTER 2 a b WITHSCORES | ZDIFF 2 a b WITHSCORES | ZUNION 2 a b WEIGHTS 2 3 AGGREGATE MAX WITHSCORES | ZINTER 2 a b AGGREGATE MIN WITHSCORES | ZUNIONSTORE d 2 a b AGGREGATE SUM WEIGHTS 1 | ZUNIONSTORE d 0 a | ZINTERSTORE d 2 a none | EXISTS d | ZDIFFSTORE d 1 a | ZRANGE d 0 -1 WITHSCORES | ZUNION 2 a b WEIGHTS 1 abc | ZUNION 2 a b AGGREGATE FOO | ZINTERCARD 2 a b | ZINTERCARD 2 a b LIMIT 1',
  'SADD s y w | ZADD a 1 x 2 y | ZUNION 2 a s WITHSCORES | ZINTER 2 a s WITHSCORES | ZUNIONSTORE d 2 a s WEIGHTS 1 10 | ZRANGE d 0 -1 WITHSCORES | ZDIFF 2 s a | ZINTERCARD 2 a s',
  'ZADD z 1 a 2 b 3 c | ZRANGESTORE d z 0 1 | ZRANGE d 0 -1 WITHSCORES | ZRANGESTORE d z (1 +inf BYSCORE LIMIT 0 1 | ZRANGE d 0 -1 WITHSCORES | ZRANGESTORE d z 5 10 | EXISTS d | ZRANGESTORE d none 0 -1 | ZRANGESTORE d z [a [b BYLEX | ZMPOP 1 z MIN | ZMPOP 2 none z MAX COUNT 5 | ZMPOP 1 z MIN | ZMPOP 0 z MIN | ZMPOP 1 z FOO | BZMPOP 0.01 1 none MIN | BZPOPMIN none 0.01 | BZPOPMAX z abc',
  'SET str v | ZADD z 1 a | ZADD str 1 a | ZSCORE str a | ZMSCORE str a | ZINCRBY str 1 a | ZCARD str | ZCOUNT str 0 1 | ZRANGE str 0 -1 | ZRANK str a | ZREM str a | ZPOPMIN str | ZRANDMEMBER str | ZUNION 2 z str | ZINTERSTORE d 2 z str | ZRANGESTORE d str 0 -1 | ZLEXCOUNT str - + | ZMPOP 1 str MIN | ZSCAN str 0 | BZPOPMIN str 0 | EXISTS d',
  'ZADD z 1 a | ZRANGE z 0 -1 REV REV | ZRANGE z 0 1 BYSCORE BYSCORE | ZRANGE z 0 -1 BYSCORE BYLEX | ZRANDMEMBER z -9223372036854775808 | ZRANDMEMBER z -4611686018427387904 WITHSCORES | ZINTERCARD 1 z LIMIT abc | ZINTERCARD 1 z LIMIT 5 LIMIT 0 | ZINTERCARD 3 z | ZMPOP 3 z MIN | BZMPOP 0 3 z MIN | LMPOP 3 z LEFT | BLMPOP 0 3 z LEFT | ZSCAN none 0 COUNT 0',
  'ZRANDMEMBER none | ZRANDMEMBER none 2 | ZADD z 1 a | ZRANDMEMBER z | ZRANDMEMBER z -2 WITHSCORES | ZRANDMEMBER z 0 | ZRANDMEMBER z abc | ~ZRANDMEMBER z 5 | ZADD z 1.5 a -0 b | ZSCORE z a | ZSCORE z b | ZMSCORE z a b c | ZMSCORE z | ZMSCORE none a | ZCOUNT z (1.5 +inf | ZCOUNT z abc 1',
];

/** Streams (issue 6) with explicit IDs; `*` IDs come from each server's clock. */
const STREAMS = [
  'XADD s 1-1 a b | XADD s 1-1 a b | XADD s 0-0 a b | XADD s2 0-0 a b | XADD s 1 a | XADD s abc a b | XADD s 1-x a b | XADD s -1 a b | XADD s 1-* a b | XADD s 5-* a b | XADD s 5 a b | XADD s 4-9 a b | XRANGE s - +',
  'XADD s MAXLEN -1 * a b | XADD s MAXLEN abc * a b | XADD s MAXLEN 1 LIMIT 5 * a b | XADD s MAXLEN ~ 1 LIMIT -1 * a b | XADD s MAXLEN 1 MINID 5 * a b | XADD s MINID abc * a b | XADD s NOMKSTREAM | XADD nos NOMKSTREAM * a b | EXISTS nos s',
  'XADD s 1-1 a 1 | XADD s 1-2 b 2 c 3 | XADD s 5-0 d 4 | XRANGE s - + | XRANGE s (1-1 + | XRANGE s (- + | XRANGE s - (+ | XRANGE s abc + | XRANGE s - + COUNT 0 | XRANGE s - + COUNT -1 | XRANGE s - + COUNT 2 | XRANGE s - + COUNT | XRANGE s - + LIMIT 2 | XRANGE s 5 5 | XRANGE s 5 (5 | XRANGE s - (1 | XRANGE s - (0-0 | XRANGE s (0 + | XRANGE s + - | XRANGE none - +',
  'XADD s 1-1 a 1 | XADD s 1-2 b 2 | XADD s 5-0 d 4 | XREVRANGE s + - | XREVRANGE s + - COUNT 2 | XREVRANGE s (5-1 - | XREVRANGE s 5 1-2 | XREVRANGE s - + | XLEN s | XLEN nos | XDEL s 1-1 7-7 | XDEL s abc | XDEL nos 1-1 | XLEN s | XRANGE s - +',
  'XADD s 1-1 a 1 | XADD s 1-2 a 2 | XADD s 1-3 a 3 | XTRIM s MAXLEN 1 | XTRIM nos MAXLEN 1 | XTRIM s FOO 1 | XTRIM nos LIMIT 1 | XTRIM s MAXLEN ~ 1 LIMIT 0 | XTRIM s MINID 1-3 | XTRIM s | XLEN s | XRANGE s - +',
  'XADD t MAXLEN 3 1-1 a 1 | XADD t MAXLEN 3 1-2 a 2 | XADD t MAXLEN 3 1-3 a 3 | XADD t MAXLEN 3 1-4 a 4 | XADD t MAXLEN 3 1-5 a 5 | XRANGE t - + | XADD t MINID 1-4 1-6 a 6 | XRANGE t - + | XTRIM t MINID 1-6 | XADD t MAXLEN ~ 1 1-7 a 7 | XLEN t | XADD t MAXLEN = 1 1-8 a 8 | XLEN t | XRANGE t - +',
  'XADD s 1-1 a 1 | XADD s2 2-1 b 2 | XREAD STREAMS s 0 | XREAD COUNT 1 STREAMS s s2 0 0 | XREAD STREAMS s $ | XREAD BLOCK abc STREAMS s 0 | XREAD BLOCK -1 STREAMS s 0 | XREAD STREAMS s abc | XREAD STREAMS s 0 0 | XREAD COUNT -1 STREAMS s 0 | XREAD FOO STREAMS s 0 | XREAD COUNT x STREAMS s 0 | XREAD STREAMS | XREAD COUNT 2 | XREAD BLOCK 10 COUNT 1 STREAMS nos 0 | XREAD BLOCK 10 STREAMS s $ | XREAD STREAMS s s2 1 1-9',
  'XADD s 5-5 a 1 | XSETID s 1-1 | XSETID s 9-1 ENTRIESADDED 1 | XSETID s 9-2 ENTRIESADDED 5 MAXDELETEDID 9-3 | XSETID s 9-2 ENTRIESADDED 5 MAXDELETEDID 1-0 | XSETID s 9-3 ENTRIESADDED 0 | XSETID nos 1-1 | XSETID s abc | XSETID s 1-1 FOO 1 | XADD s 9-2 a b | XADD s 9-* a b',
  'SET str v | XADD str 1-1 a b | XRANGE str - + | XLEN str | XREAD STREAMS str 0 | XREAD STREAMS str $ | XREAD STREAMS nos 0 | XDEL str 1-1 | XTRIM str MAXLEN 1 | XSETID str 1-1',
  'XADD e 1-1 a b | XDEL e 1-1 | XLEN e | EXISTS e | TYPE e | XADD e 1-1 a b | XADD e 1-2 a b | XRANGE e - + | MULTI | XADD e 2-1 c d | XREAD BLOCK 0 STREAMS e 3 | XLEN e | EXEC',
];

/** Consumer groups with explicit IDs; idle times (XPENDING's extended form, XINFO CONSUMERS) differ by design. */
const STREAM_GROUPS = [
  'XADD s 1-0 a 1 | XADD s 2-0 a 2 | XADD s 3-0 a 3 | XGROUP CREATE s g 0 | XGROUP CREATE s g 0 | XGROUP CREATE nos g 0 | XGROUP CREATE nos g $ MKSTREAM | XGROUP CREATE s g2 abc | XGROUP CREATE s g3 $ ENTRIESREAD 5 | XGROUP CREATE s g4 0 ENTRIESREAD -3 | XGROUP CREATE s g5 0 FOO | XGROUP CREATE s g5 0 ENTRIESREAD abc | XGROUP SETID s g 0 MKSTREAM | XGROUP DESTROY s | XGROUP FOO s | XGROUP CREATE s | XGROUP HELP | XINFO GROUPS s',
  'XADD s 1-0 a 1 | XADD s 2-0 a 2 | XADD s 3-0 a 3 | XGROUP CREATE s g 0 | XREADGROUP GROUP g c1 COUNT 2 STREAMS s > | XPENDING s g | XREADGROUP GROUP g c1 STREAMS s 0 | XREADGROUP GROUP g c1 STREAMS s 1-0 | XREADGROUP GROUP g c2 STREAMS s 0 | XREADGROUP GROUP g c1 STREAMS s $ | XREADGROUP GROUP nog c1 STREAMS s > | XREADGROUP GROUP g c1 STREAMS nokey > | XREADGROUP STREAMS s > | XREADGROUP GROUP g c STREAMS s > > | XREADGROUP GROUP g c STREAMS s abc | XREAD GROUP g c STREAMS s 0 | XREAD NOACK STREAMS s 0 | XREADGROUP NOACK GROUP g c COUNT 1 STREAMS s > | XPENDING s g | XINFO GROUPS s',
  'XADD s 1-0 a 1 | XADD s 2-0 a 2 | XADD s 3-0 a 3 | XGROUP CREATE s g 0 | XREADGROUP GROUP g c1 STREAMS s > | XDEL s 1-0 | XREADGROUP GROUP g c1 STREAMS s 0 | XACK s g 1-0 2-0 9-0 | XACK s g abc | XACK nokey g 1-0 | XACK s nog 1-0 | XPENDING s g | XPENDING s nog | XPENDING nokey g | XPENDING s g IDLE abc - + 10 | XPENDING s g - + abc | XPENDING s g - + | XPENDING s g IDLE 10 | XPENDING s g - + 10 nobody | XINFO GROUPS s',
  'XADD s 1-0 a 1 | XGROUP CREATE s g 0 | XREADGROUP GROUP g c1 STREAMS s > | XGROUP CREATECONSUMER s g c3 | XGROUP CREATECONSUMER s g c3 | XGROUP DELCONSUMER s g c1 | XGROUP DELCONSUMER s g zz | XPENDING s g | XGROUP SETID s g 0 ENTRIESREAD 0 | XGROUP SETID s nog 0 | XINFO GROUPS s | XGROUP DESTROY s g2 | XGROUP DESTROY s g | XGROUP DESTROY s g | XGROUP DESTROY nokey g | XINFO GROUPS s',
  'XADD s 1-0 a 1 | XADD s 2-0 a 2 | XADD s 3-0 a 3 | XGROUP CREATE s g 0 | XREADGROUP GROUP g c1 STREAMS s > | XCLAIM s g c2 0 1-0 | XCLAIM s g c2 0 2-0 JUSTID | XCLAIM s g c2 100000 3-0 | XCLAIM s g c3 0 9-0 | XCLAIM s g c3 0 9-0 FORCE | XCLAIM s g c3 0 1-0 RETRYCOUNT 7 JUSTID | XCLAIM s g c3 abc 1-0 | XCLAIM s g c3 0 abc | XCLAIM s g c3 0 1-0 FOO | XCLAIM s g c3 0 1-0 IDLE abc | XCLAIM s g c3 0 1-0 RETRYCOUNT abc | XCLAIM s g c3 0 1-0 TIME abc | XCLAIM s g c -5 1-0 JUSTID | XCLAIM s g c3 0 1-0 LASTID 50-0 JUSTID | XCLAIM s nog c 0 1-0 | XCLAIM nokey g c 0 1-0 | XPENDING s g | XINFO GROUPS s',
  'XADD s 1-0 a 1 | XADD s 2-0 a 2 | XADD s 3-0 a 3 | XGROUP CREATE s g 0 | XREADGROUP GROUP g c1 STREAMS s > | XDEL s 3-0 | XAUTOCLAIM s g c4 0 0 COUNT 1 | XAUTOCLAIM s g c4 0 0 | XAUTOCLAIM s g c4 abc 0 | XAUTOCLAIM s g c4 0 0 COUNT 0 | XAUTOCLAIM s g c4 0 0 COUNT abc | XAUTOCLAIM s g c4 0 0 FOO | XAUTOCLAIM s g c4 0 abc | XAUTOCLAIM s nog c4 0 0 | XAUTOCLAIM s g c5 0 (0 JUSTID | XPENDING s g',
  'XADD s3 1-0 a b | XADD s3 2-0 a b | XGROUP CREATE s3 g 0 | XINFO GROUPS s3 | XREADGROUP GROUP g c STREAMS s3 > | XINFO GROUPS s3 | XDEL s3 1-0 | XINFO GROUPS s3 | XADD s3 3-0 a b | XINFO GROUPS s3 | XGROUP SETID s3 g 0 | XINFO GROUPS s3 | XREADGROUP GROUP g c STREAMS s3 > | XINFO GROUPS s3 | XINFO FOO | XINFO STREAM nokey | XINFO GROUPS nokey | XINFO CONSUMERS s3 nog | XINFO STREAM | XINFO HELP',
  'SET str v | XGROUP CREATE str g 0 | XREADGROUP GROUP g c STREAMS str > | XACK str g 1-0 | XPENDING str g | XCLAIM str g c 0 1-0 | XAUTOCLAIM str g c 0 0 | XINFO GROUPS str | XADD c 1-0 a b | XGROUP CREATE c g 0 | XREADGROUP GROUP g c1 STREAMS c > | COPY c c2 | XPENDING c2 g | XINFO GROUPS c2 | MULTI | XADD c 2-0 x y | XREADGROUP GROUP g c1 BLOCK 0 STREAMS c > | XREADGROUP GROUP g c1 BLOCK 0 STREAMS c > | EXEC',
  'XADD s 1-1 a b | XGROUP CREATE s g - | XGROUP CREATE s g2 + | XGROUP CREATE s g3 5 | XGROUP SETID s g3 + | XGROUP SETID s g3 - | XINFO GROUPS s | XGROUP SETID s g4 ( | XGROUP CREATE s g5 (1-1 | XGROUP CREATE s g5 0 ENTRIESREAD 5 MKSTREAM ENTRIESREAD 6 | XGROUP CREATE s g6 0 MKSTREAM MKSTREAM | XINFO GROUPS s',
  'XADD s 1-1 a b | XGROUP CREATE s g 0 | XGROUP CREATE nos g abc | XGROUP CREATE nos g abc MKSTREAM | EXISTS nos | XGROUP CREATE nos2 g 0 FOO | XGROUP SETID nos g abc | XGROUP SETID s nog abc | XGROUP SETID s g 0 MKSTREAM | XGROUP SETID s g 0 ENTRIESREAD 1 FOO | XGROUP SETID s g 0 ENTRIESREAD | XGROUP SETID s g abc ENTRIESREAD 1 | XGROUP CREATECONSUMER nos g c | XGROUP DELCONSUMER s nog c | XGROUP DESTROY s nog | XGROUP DESTROY nos g | XINFO GROUPS s',
  'XADD s 1-0 a 1 | XGROUP CREATE s g 0 | XREADGROUP GROUP g c STREAMS s > | XPENDING s g IDLE abc - | XPENDING s g IDLE 0 - + | XPENDING s g abc + abc | XPENDING s g abc + 10 | XPENDING s g - | XPENDING s g - + | XPENDING s g IDLE | XPENDING nos g abc + 10 | XPENDING nos g - + 10 | XPENDING s g IDLE 999999999 - + 10 c extra | XPENDING s g IDLE 999999999 - + 10 c a b | XPENDING s nog - + 10 c extra',
  'XADD s 1-0 a 1 | XGROUP CREATE s g 0 | XREADGROUP GROUP g c STREAMS s > | XCLAIM s g d 0 1-0 IDLE -5 JUSTID | XCLAIM s g e 0 1-0 FORCE FORCE JUSTID | XCLAIM s g f 0 1-0 TIME 99999999999999 JUSTID | XCLAIM s g h 0 1-0 JUSTID | XCLAIM s g i 0 1-0 RETRYCOUNT -1 JUSTID | XPENDING s g | XCLAIM nos g c abc 1-0 | XCLAIM s nog c abc 1-0 | XCLAIM s g c abc 1-0 | SET str v | XCLAIM str g c abc 1-0 | XCLAIM str nog c 0 1-0 FOO',
  'XADD s 1-1 a 1 b 2 | XINFO STREAM s FOO | XINFO STREAM s FULL FOO | XINFO STREAM s FULL COUNT | XINFO STREAM s FULL COUNT 1 2 | XINFO STREAM s FULL count abc | XINFO STREAM nos FOO | XINFO STREAM s COUNT 1 FULL | XINFO STREAM s FULL COUNT x y',
];

const STRINGS_LCS_SUBSTR = [
  'MSET key1 ohmytext key2 mynewtext | LCS key1 key2 | LCS key1 key2 LEN | LCS key1 key2 IDX | LCS key1 key2 IDX MINMATCHLEN 4 | LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN | LCS key1 key2 IDX WITHMATCHLEN | LCS key1 key2 LEN IDX | LCS key1 key2 FOO | LCS key1 key2 MINMATCHLEN | LCS key1 key2 MINMATCHLEN abc | LCS key1 key2 IDX MINMATCHLEN -5 | LCS key1 nokey | LCS nokey nokey2 IDX | LCS key1 key1 IDX WITHMATCHLEN',
  'RPUSH l a | SET s abc | LCS l s | LCS s l | LCS l s FOO | LCS s s LEN | LCS | LCS s | SET e "" | LCS e s | LCS s e IDX | SUBSTR s 0 1 | SUBSTR s -2 -1 | SUBSTR s a 1 | SUBSTR l 0 1 | SUBSTR nokey 0 1 | SUBSTR s 0',
  'MSET a abcabcabc b cbacbacba | LCS a b | LCS a b IDX WITHMATCHLEN | MSET c "aaaa" d "aa" | LCS c d IDX | LCS d c IDX WITHMATCHLEN | MSET x "\u0000\u00ff\r\n" y "\r\u00ff\u0000" | LCS x y | LCS x y IDX | LCS a b IDX MINMATCHLEN 2 WITHMATCHLEN | LCS a b LEN LEN | LCS a b IDX IDX',
];

/** Bit operations; no offsets beyond Shoal's string limit (536,870,888 bytes: V8's longest
 * string) and no missing key with bad arguments (7.0 answers 0 there, 7.2 the error). */
const BITMAPS = [
  'SETBIT k 7 1 | GET k | GETBIT k 7 | GETBIT k 6 | GETBIT k 100 | SETBIT k 7 0 | GET k | SETBIT k 100 0 | STRLEN k | GETBIT nokey 5 | SETBIT k -1 1 | SETBIT k abc 1 | SETBIT k 1 2 | SETBIT k 1 -1 | SETBIT k 1 01 | SETBIT k 1 " 1" | SETBIT k 4294967296 1 | GETBIT k -1 | GETBIT k x | GETBIT k 4294967296',
  'SET k a | SETBIT k 6 1 | GET k | SETBIT k 0 1 | GET k | RPUSH l x | SETBIT l 0 1 | GETBIT l 0 | SET n 123 | GETBIT n 2 | SETBIT n 7 0 | GET n',
  'SET k 1234567 | BITCOUNT k -13 -17 | BITCOUNT k -13 -17 BIT | BITCOUNT k -100 -90 BIT | BITPOS k 1 -13 -17 | BITPOS k 0 -13 -17 BYTE',
  'SET k foobar | BITCOUNT k | BITCOUNT k 0 0 | BITCOUNT k 1 1 | BITCOUNT k 1 -2 | BITCOUNT k -2 -1 | BITCOUNT k 5 30 BIT | BITCOUNT k 0 -1 BIT | BITCOUNT k -5 -1 BIT | BITCOUNT k 1 1 BYTE | BITCOUNT k 1 1 FOO | BITCOUNT k 1 | BITCOUNT k 1 2 3 | BITCOUNT k a b | BITCOUNT k 0 a | BITCOUNT k -1 -5 | BITCOUNT k 100 200 | BITCOUNT k -100 -50 | BITCOUNT k 3 1 | BITCOUNT nokey | BITCOUNT k 0 -1 bit | BITCOUNT k 9223372036854775807 -9223372036854775808',
  'SET k "\u00ff\u00f0\u0000" | BITPOS k 0 | BITPOS k 1 | BITPOS k 0 1 | BITPOS k 1 2 | BITPOS k 0 2 | BITPOS k 0 0 1 | BITPOS k 0 0 0 | BITPOS k 1 7 15 BIT | BITPOS k 0 7 15 BIT | BITPOS k 0 0 11 BIT | BITPOS k 0 12 15 BIT | BITPOS k 1 -1 | BITPOS k 1 -1 -1 BIT | BITPOS k 2 | BITPOS k a | BITPOS k 0 a | BITPOS k 0 0 a | BITPOS k 0 0 1 FOO | BITPOS k 0 0 1 BIT x | BITPOS nokey 0 | BITPOS nokey 1 | BITPOS k 0 5 3',
  'SET e "" | BITPOS e 0 | BITPOS e 1 | BITCOUNT e | BITPOS e 0 0 | BITPOS e 0 0 -1 | SET f "\u00ff\u00ff" | BITPOS f 0 | BITPOS f 0 0 -1 | BITPOS f 0 1 | BITPOS f 0 0 15 BIT | BITPOS f 1 0 15 BIT | SET z "\u0000\u0000" | BITPOS z 1 | BITPOS z 0 | BITPOS z 1 0 -1 BIT',
  'SET a "\u00f0" | SET b "\u000f\u00aa" | BITOP AND d a b | GET d | BITOP OR d a b | GET d | BITOP XOR d a b | GET d | BITOP NOT d a | GET d | BITOP NOT d a b | BITOP FOO d a | BITOP AND d nokey nokey2 | EXISTS d | SET d x | BITOP OR d nokey | EXISTS d | BITOP AND d a nokey | GET d | RPUSH l x | BITOP AND d a l | BITOP and d l | SET d v | EXPIRE d 100 | BITOP or d a | TTL d | BITOP NOT d | BITOP',
  'BITFIELD k GET u8 0 | BITFIELD k SET u8 0 255 GET u8 0 | GET k | BITFIELD k INCRBY u8 0 10 | BITFIELD k OVERFLOW SAT INCRBY u8 0 1000 | BITFIELD k OVERFLOW FAIL INCRBY u8 0 1 | BITFIELD k OVERFLOW WRAP INCRBY u8 0 1 | BITFIELD k SET i8 0 -128 INCRBY i8 0 -1 | BITFIELD k OVERFLOW SAT INCRBY i8 0 -200 | BITFIELD k OVERFLOW FAIL SET i8 0 200 | BITFIELD k SET i8 0 200 | BITFIELD k SET u8 0 -1 | BITFIELD k OVERFLOW SAT SET u8 0 -1 | BITFIELD k OVERFLOW FAIL SET u8 0 -1 | GET k',
  'BITFIELD k SET i64 0 -1 GET u63 0 GET i64 0 GET u1 0 | BITFIELD k INCRBY i64 0 -9223372036854775808 | BITFIELD k OVERFLOW SAT INCRBY i64 0 -9223372036854775808 | BITFIELD k SET u63 0 9223372036854775807 INCRBY u63 0 1 | BITFIELD k OVERFLOW SAT INCRBY u63 0 5 | BITFIELD k GET u64 0 | BITFIELD k GET i65 0 | BITFIELD k GET i0 0 | BITFIELD k GET x8 0 | BITFIELD k GET i08 0 | BITFIELD k GET u 0 | BITFIELD k GET I8 0 | BITFIELD k GET U8 0',
  'BITFIELD k SET u4 #1 15 GET u4 #0 GET u4 #1 GET u4 4 | GET k | BITFIELD k GET u8 #-1 | BITFIELD k GET u8 -1 | BITFIELD k GET u8 abc | BITFIELD k GET u8 # | BITFIELD k GET u8 #x | BITFIELD k SET u8 0 abc | BITFIELD k SET u8 0 | BITFIELD k GET u8 | BITFIELD k FOO | BITFIELD k OVERFLOW | BITFIELD k OVERFLOW FOO GET u8 0 | BITFIELD k overflow fail get u8 0 | BITFIELD k | BITFIELD k GET u8 0 FOO',
  'BITFIELD_RO k GET u8 0 | BITFIELD_RO k SET u8 0 1 | BITFIELD_RO k SET u8 0 1 GET x 0 | BITFIELD_RO k INCRBY u8 0 1 | BITFIELD_RO k OVERFLOW SAT GET u8 0 | BITFIELD_RO nokey GET i8 0 | EXISTS nokey | BITFIELD nokey GET u8 100 | EXISTS nokey | BITFIELD nokey OVERFLOW FAIL SET u8 100 999 | STRLEN nokey | RPUSH l x | BITFIELD l GET u8 0 | BITFIELD_RO l GET u8 0 | BITFIELD l SET u8 0 1 | BITFIELD l GET x 0',
  'SET k 12 | BITFIELD k INCRBY u8 0 1 | GET k | SET m 1 | EXPIRE m 100 | BITFIELD m SET u8 0 65 | TTL m | GET m | SETBIT m 0 0 | TTL m | BITFIELD big SET u8 #10 1 | STRLEN big | BITFIELD big2 SET i16 100 1 GET i16 100 | STRLEN big2',
  'SETBIT k 0 1 | SETBIT k 15 1 | SETBIT k 16 1 | BITCOUNT k 0 16 BIT | BITCOUNT k 1 15 BIT | BITCOUNT k 16 16 BIT | BITCOUNT k 17 100 BIT | BITPOS k 1 1 | BITPOS k 1 1 100 BIT | BITPOS k 0 0 0 BIT | BITPOS k 1 9 14 BIT | BITPOS k 0 15 16 BIT | BITPOS k 1 -8 -1 BIT | BITPOS k 0 -1 | BITPOS k 0 2 2',
  'SET k "\u0080\u0000\u0001" | BITPOS k 1 1 | BITPOS k 1 1 2 | BITPOS k 1 8 22 BIT | BITPOS k 1 8 23 BIT | BITPOS k 0 0 7 BIT | BITPOS k 0 1 7 BIT | BITPOS k 1 1 7 BIT | BITCOUNT k 0 0 BIT | BITCOUNT k 7 23 BIT | BITCOUNT k 23 23 BIT',
  'SET k "\u00ff\u00ff\u00ff" | BITPOS k 0 | BITPOS k 0 1 | BITPOS k 0 0 2 | BITPOS k 0 0 23 BIT | BITPOS k 0 3 20 BIT | BITPOS k 1 3 20 BIT',
  'BITFIELD k SET u3 5 7 GET u3 5 GET u8 0 GET u16 0 | GET k | BITFIELD k INCRBY i5 100 3 INCRBY i5 100 15 INCRBY i5 100 -40 | BITFIELD k OVERFLOW SAT INCRBY i5 100 100 INCRBY u5 100 100 OVERFLOW WRAP INCRBY u5 100 100 | BITFIELD k GET i64 3 GET u63 1',
];

/** HyperLogLog: counts, errors, and the stored bytes after PFADD (after a PFCOUNT, Redis's cached
 * count is in the header, which Shoal leaves marked stale). */
const HYPERLOGLOG = [
  'PFADD h | PFADD h | PFCOUNT h | EXISTS h | TYPE h | PFADD h a | PFADD h a | PFADD h b c | PFCOUNT h | PFCOUNT nokey | PFCOUNT h nokey | PFADD | PFCOUNT | PFMERGE',
  'SET s hello | PFADD s a | PFCOUNT s | PFMERGE s | PFMERGE d s | SET n 12345 | PFCOUNT n | RPUSH l a | PFADD l a | PFCOUNT l | PFMERGE d l | PFMERGE l | EXISTS d',
  'SET fake "HYLL" | PFCOUNT fake | SET fake2 "HYLLxxxxxxxxxxxxx" | PFCOUNT fake2 | PFADD fake2 a | SET fake3 "HYLL\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000" | PFCOUNT fake3 | SET fake4 "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000" | PFCOUNT fake4 | PFADD fake4 | PFADD fake4 x | SET fake5 "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u007f\u00ff" | PFCOUNT fake5 | PFADD fake5 x | PFCOUNT fake5',
  'SET fake6 "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u007f\u00fe" | PFCOUNT fake6 | SET fake7 "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u007f\u00ff\u0000" | PFCOUNT fake7 | SET fake8 "HYLL\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u007f\u00ff" | PFCOUNT fake8',
  'PFADD a x y z | PFADD b z w | PFMERGE c a b | PFCOUNT c | PFMERGE c | PFCOUNT c | PFMERGE a a | PFCOUNT a | PFMERGE e | EXISTS e | PFCOUNT e | SET t v | PFMERGE t a | EXPIRE a 100 | PFADD a q | TTL a | PFMERGE a b | TTL a',
  'PFADD h "" "\u0000" "\r\n" "\u00ff\u00fe" | PFCOUNT h | PFADD h "" | PFADD big a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11 a12 a13 a14 a15 a16 a17 a18 a19 a20 | GET big | STRLEN big',
];

/** Geo commands; no full-precision distances (STOREDIST scores): V8's sin/cos/asin and glibc's
 * can differ in the last bit, which WITHDIST's four decimals do not show. */
const GEO = [
  'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania | GEODIST Sicily Palermo Catania | GEODIST Sicily Palermo Catania km | GEODIST Sicily Palermo Catania mi | GEODIST Sicily Palermo Catania ft | GEODIST Sicily Palermo nope | GEODIST Sicily Palermo Catania xx | GEODIST Sicily Palermo Catania km extra | GEODIST nokey a b | GEOPOS Sicily Palermo Catania NonExisting | GEOHASH Sicily Palermo Catania nope | ZRANGE Sicily 0 -1 WITHSCORES | GEOPOS nokey a | GEOHASH nokey a',
  'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania | GEORADIUS Sicily 15 37 200 km WITHDIST | GEORADIUS Sicily 15 37 200 km WITHCOORD | GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH | GEORADIUS Sicily 15 37 200 km | GEORADIUS Sicily 15 37 100 km | GEORADIUS Sicily 15 37 200 km DESC | GEORADIUS Sicily 15 37 200 km COUNT 1 | GEORADIUS Sicily 15 37 200 km COUNT 1 ANY | GEORADIUS Sicily 15 37 200 km ANY | GEORADIUS Sicily 15 37 200 km COUNT 0 | GEORADIUS Sicily 15 37 -1 km | GEORADIUS Sicily 15 37 200 xx | GEORADIUS Sicily 200 37 200 km | GEORADIUS Sicily 15 37 abc km',
  'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania | GEOADD Sicily 13.583333 37.316667 Agrigento | GEORADIUSBYMEMBER Sicily Agrigento 100 km | GEORADIUSBYMEMBER Sicily Agrigento 100 km WITHDIST ASC | GEORADIUSBYMEMBER Sicily nope 100 km | GEORADIUSBYMEMBER Sicily nope 100 km FOO | GEORADIUSBYMEMBER nokey nope 100 km | GEORADIUSBYMEMBER_RO Sicily Agrigento 100 km STORE x | GEORADIUS Sicily 15 37 200 km STORE dst | ZRANGE dst 0 -1 WITHSCORES | GEORADIUS Sicily 15 37 200 km STOREDIST dst2 | ZRANGE dst2 0 -1 | GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST | GEORADIUS Sicily 15 37 1 m STORE dst | EXISTS dst',
  'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania | GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC | GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST | GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km | GEOSEARCH Sicily FROMMEMBER nope BYRADIUS 1 km | GEOSEARCH Sicily BYRADIUS 1 km | GEOSEARCH Sicily FROMLONLAT 15 37 | GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 1 km | GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYBOX 1 1 km | geosearch Sicily BYRADIUS 1 km | GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km | GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 abc km | GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x | GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km | GEOSEARCH nokey FROMMEMBER x BYRADIUS 200 km',
  'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania | GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3 | ZRANGE dst 0 -1 WITHSCORES | GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3 STOREDIST | ZRANGE dst 0 -1 | GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST | GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYBOX 400 400 km | EXISTS dst | GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 1 m | EXISTS dst',
  'GEOADD k 0 0 a | GEOADD k NX 1 1 a 2 2 b | GEOADD k XX 3 3 a 4 4 c | GEOADD k XX CH 5 5 a | GEOADD k NX XX 1 1 a | GEOADD k 1 1 | GEOADD k 181 0 x | GEOADD k 0 86 x | GEOADD k abc 0 x | GEOADD k 0 abc x | GEOADD k GT 1 1 a | GEOADD k CH 1 1 a 1 1 | GEOPOS k a b c | SET s v | GEOADD s 0 0 a | GEOPOS s a | GEOHASH s a | GEODIST s a b | GEOSEARCH s FROMLONLAT 0 0 BYRADIUS 1 km | GEORADIUS s 0 0 1 km',
  'GEOADD k -180 -85.05112878 sw 180 85.05112878 ne -0.0001 0.0001 near0 179.9999 -85 far | GEOPOS k sw ne near0 far | GEOHASH k sw ne near0 far | GEODIST k sw ne | GEOSEARCH k FROMLONLAT 0 0 BYRADIUS 20000 km | GEOSEARCH k FROMLONLAT 0 0 BYRADIUS 20000 km ASC WITHDIST | GEOSEARCH k FROMLONLAT 179 -84 BYRADIUS 500 km WITHDIST | GEOSEARCH k FROMLONLAT -179.5 0 BYBOX 200 200 km',
];

/** SORT and SORT_RO (no weights past the double range: Redis does not clear errno before strtod,
 * so after one ERANGE its later SORTs may fail at random). */
const SORT = [
  'RPUSH l 3 1 2 10 1.5 -1 | SORT l | SORT l DESC | SORT l ALPHA | SORT l ALPHA DESC | SORT l LIMIT 1 2 | SORT l LIMIT -1 2 | SORT l LIMIT 0 -1 | SORT l LIMIT 10 2 | SORT l LIMIT 5 10 | SORT l LIMIT 0 0 | SORT l LIMIT a 1 | SORT l LIMIT 1 | SORT l BY nosort | SORT l BY nosort DESC | SORT l BY nosort LIMIT 1 2 | SORT l BY nosort DESC LIMIT 1 2 | SORT_RO l STORE d | SORT l FOO | SORT l ASC DESC | SORT l DESC ASC',
  'RPUSH l a 1 | SORT l | SORT l ALPHA | RPUSH m " 1" 2 "\t3" | SORT m | RPUSH n 1e3 inf -inf 0x10 infinity -INF 0x1.8p1 .5 5. +5 | SORT n | RPUSH o nan | SORT o | RPUSH p "" | SORT p | RPUSH q 1 "1 " | SORT q | RPUSH r "   " | SORT r | RPUSH s 0x 1e | SORT s',
  'ZADD z 1 c 2 a 3 b | SORT z | SORT z ALPHA | SORT z BY nosort | SORT z BY nosort DESC | SORT z BY nosort LIMIT 1 5 | SORT z BY nosort DESC LIMIT 0 2 | SADD s 3 1 2 | SORT s | SORT s DESC | SORT s BY nosort STORE d | LRANGE d 0 -1',
  'RPUSH l 1 2 3 | SET w_1 30 | SET w_2 10 | SET w_3 20 | HSET h_1 f z | HSET h_2 f x | HSET h_3 f y | SORT l BY w_* | SORT l BY h_*->f ALPHA | SORT l BY h_*->f | SORT l BY w_* GET # GET h_*->f GET w_* GET nostar GET h_*-> | SORT l BY nokey_* | SORT l BY nokey_* DESC | SORT l BY w_* STORE d | LRANGE d 0 -1 | SORT l GET missing_* STORE d2 | LRANGE d2 0 -1 | SORT l BY w_* LIMIT 0 1 GET #',
  'RPUSH l 1 2 | SET x_1 a | SET x_2 1 | SORT l BY x_* | SORT l BY x_* ALPHA | SET x_x v | SORT l BY x_*->f | HSET hh_1 f 1 | SORT l GET hh_*->f GET hh_* | SORT l BY hh_*->f ALPHA | SORT l BY hh_*->f ALPHA DESC',
  'SET str v | SORT str | SORT str FOO | SORT str LIMIT a 1 | SORT nokey | SORT nokey FOO | SORT nokey STORE d | EXISTS d | SET d v | SORT nokey STORE d | EXISTS d | HSET hash a b | SORT hash | SORT | SORT_RO | SORT_RO str | SORT l STORE | SORT l BY | SORT l GET | SORT l LIMIT 0',
  'RPUSH l b a c | SORT l ALPHA STORE l | LRANGE l 0 -1 | SORT l ALPHA DESC STORE l2 | LRANGE l2 0 -1 | SORT l ALPHA GET # GET # | SORT l ALPHA LIMIT 0 1 LIMIT 1 1 | SORT l ALPHA STORE x STORE y | EXISTS x y | SORT l BY a BY nosort | SORT l BY nosort BY w_* DESC',
  'RPUSH l 2 1 | SET k_1 5 | SET k_2 5 | SORT l BY k_* | SORT l BY k_* DESC | SET j_1 b | SET j_2 a | SORT l BY j_* ALPHA | SORT l BY j_* ALPHA DESC | SORT l BY "k_*_*" | SET "k_1_*" 9 | SORT l GET "k_*_*" | SORT_RO l BY k_* GET # | SORT_RO l BY nosort',
  'SADD s b a c | SORT s BY nosort STORE d | LRANGE d 0 -1 | SORT s ALPHA BY nosort DESC STORE d | LRANGE d 0 -1 | SORT s BY nosort DESC LIMIT 0 2 STORE d | LRANGE d 0 -1 | EXPIRE d 100 | SORT s ALPHA STORE d | TTL d | TYPE d | ZADD z 1 x | SORT s ALPHA STORE z | TYPE z',
  'RPUSH l x | SORT l STORE l | SORT l ALPHA STORE l | LRANGE l 0 -1 | SORT_RO l ALPHA GET # BY nosort | SORT_RO nokey | SORT_RO l ALPHA LIMIT 0 1 | MULTI | SORT l ALPHA STORE m | LRANGE m 0 -1 | EXEC',
];

/** Pub/sub in one connection (its own acknowledgements and counts); messages between connections are in pubsub.test.ts. */
const PUBSUB = [
  'UNSUBSCRIBE | PUNSUBSCRIBE | SUNSUBSCRIBE | UNSUBSCRIBE a b | PUNSUBSCRIBE a* | SUNSUBSCRIBE a b',
  'SUBSCRIBE a | SUBSCRIBE b | SUBSCRIBE a | PING | PING hi | ~PUBSUB CHANNELS | UNSUBSCRIBE b | UNSUBSCRIBE | PING',
  'SUBSCRIBE a | PSUBSCRIBE a* | PUBLISH a hi | PUBSUB NUMPAT | UNSUBSCRIBE a | PUNSUBSCRIBE | PING',
  'PUBSUB CHANNELS | PUBSUB NUMSUB | PUBSUB NUMSUB a b | PUBSUB NUMPAT | PUBSUB SHARDCHANNELS | PUBSUB SHARDNUMSUB x | PUBSUB FOO | PUBSUB | PUBSUB HELP',
  'PUBLISH | PUBLISH a | PUBLISH a b c | SPUBLISH a b | SPUBLISH a | SSUBSCRIBE | SUBSCRIBE | PSUBSCRIBE',
  'SSUBSCRIBE a | SSUBSCRIBE b | SPUBLISH a x | SUNSUBSCRIBE b | ~PUBSUB SHARDCHANNELS | SUNSUBSCRIBE | PING',
  'SUBSCRIBE a | SSUBSCRIBE b | SUNSUBSCRIBE b | UNSUBSCRIBE a | RESET | PING',
  'SUBSCRIBE x | GET a | SET a 1 | MULTI | PUBSUB NUMSUB x | PUBSUB SHARDNUMSUB x | QUIT',
  'PSUBSCRIBE "h[ae]llo" | PUBLISH hello m | PUBLISH hallo n | PUBLISH hxllo o | PUNSUBSCRIBE "h[ae]llo" | PSUBSCRIBE "*" | PUBLISH x y | PUBSUB NUMPAT | PUNSUBSCRIBE',
  'SUBSCRIBE "" | PUBLISH "" x | UNSUBSCRIBE ""',
  'PUBSUB CHANNELS "*" x | PUBSUB CHANNELS "[" | PUBSUB NUMPAT x | PUBSUB SHARDCHANNELS a b',
  'SSUBSCRIBE a | SSUBSCRIBE a | SUBSCRIBE a | PUBSUB NUMSUB a | PUBSUB SHARDNUMSUB a | SPUBLISH a m',
  'OBJECT HELP | SLOWLOG HELP | XINFO HELP | XGROUP HELP',
];

const TRANSACTIONS = [
  'MULTI | SET a 1 | INCR a | GET | EXEC | GET a',
  'MULTI | SET a x | INCR a | EXEC | EXEC | DISCARD | MULTI | MULTI | DISCARD',
  'SET w 1 | WATCH w | MULTI | WATCH w | GET w | EXEC | UNWATCH | MULTI | EXEC',
  'MULTI | SET a 1 | LPUSH a x | INCR a | EXEC | GET a',
  'MULTI | SET a 1 | EXEC foo | EXEC | EXEC foo | DISCARD foo | MULTI foo | MULTI | DISCARD foo | EXEC | GET a | SUBSCRIBE ch | EXEC | EXEC x | DISCARD | MULTI | WATCH',
  'SET w 1 | WATCH w | MULTI | SET a 1 | EXEC foo | SET w 2 | MULTI | SET a 2 | EXEC | GET a',
  'MULTI | SET a 1 | FOO | EXEC | GET a | MULTI | SET a 1 | SET | EXEC | EXISTS a | MULTI | INCR a | INCRBY a abc | INCR a | EXEC',
  'MULTI | WATCH a | EXEC | WATCH a | UNWATCH | UNWATCH | DISCARD | EXEC | MULTI | MULTI | EXEC | EXEC | WATCH | MULTI | SET a 1 | DISCARD | GET a | DISCARD',
  'SET a 1 | WATCH a | SET a 2 | MULTI | SET a 3 | EXEC | GET a | WATCH a b c | MULTI | PING | EXEC | MULTI | WATCH x | SET a 1 | EXEC | GET a',
  'MULTI | SUBSCRIBE x | EXEC | MULTI | PING | ECHO hi | set a 1 | exec | MULTI | SET a 1 | EXPIRE a 100 | TTL a | PERSIST a | TTL a | DEL a | EXISTS a | EXEC',
  'MULTI | BLPOP l 0 | BRPOP l 0 | BLMOVE l m LEFT RIGHT 0 | BRPOPLPUSH l m 0 | BLMPOP 0 1 l LEFT | BZPOPMIN z 0 | BZMPOP 0 1 z MIN | XREAD BLOCK 0 STREAMS s $ | EXEC | RPUSH l a | MULTI | BLPOP l 0 | BLPOP l 0 | BLMOVE l m LEFT RIGHT 0 | EXEC',
  'MULTI | RESET | EXEC | MULTI | SELECT 0 | SET a 1 | EXEC | MULTI | FLUSHALL | SET b 1 | EXEC | GET a | GET b | MULTI | HSET h f v | HGETALL h | HDEL h f | HGETALL h | EXEC',
];

/** Every string/key command against every kind of key state, each followed by probes of the result. */
const KEY_STATES: readonly string[] = [
  '', 'SET k hello', 'SET k 41', 'XADD k 1-1 f v', 'SET k 1.5', 'SET k ""', 'SET k hello EX 1000', 'RPUSH k a', 'HSET k f v', 'SET k "\u0000\u00ff\r\n"',
];
const MATRIX_COMMANDS: readonly string[] = [
  'GET k', 'SET k v', 'SET k v NX', 'SET k v XX', 'SET k v GET', 'SET k v KEEPTTL', 'SET k v XX KEEPTTL GET', 'SETNX k v', 'SETEX k 500 v', 'GETSET k v',
  'GETDEL k', 'GETEX k', 'GETEX k PERSIST', 'GETEX k EX 600', 'MGET k k', 'MSETNX k v j w', 'INCR k', 'INCRBY k 5', 'DECRBY k 5', 'INCRBYFLOAT k 0.5',
  'APPEND k xy', 'STRLEN k', 'GETRANGE k 1 3', 'SETRANGE k 2 ZZ', 'DEL k', 'EXISTS k', 'TYPE k', 'EXPIRE k 700', 'EXPIRE k 700 NX', 'EXPIRE k 700 XX',
  'EXPIRE k 700 GT', 'EXPIRE k 700 LT', 'PERSIST k', 'TTL k', 'RENAME k j', 'RENAMENX k j', 'COPY k j', 'TOUCH k', 'UNLINK k',
];
const MATRIX: readonly string[] = KEY_STATES.flatMap((state) => MATRIX_COMMANDS.map((command) =>
  [...(state === '' ? [] : [state]), command, 'TYPE k', 'TTL k', 'GET k', 'TYPE j', 'GET j'].join(' | ')));

/** The commands added after the first matrix, against every kind of key, collections included. */
const LATER_KEY_STATES: readonly string[] = [...KEY_STATES, 'SADD k 3 1 2', 'ZADD k 1 a 2 b', 'PFADD k x', 'GEOADD k 1 1 m'];
const LATER_MATRIX_COMMANDS: readonly string[] = [
  'GETBIT k 1', 'SETBIT k 1 1', 'BITCOUNT k', 'BITCOUNT k 0 -1 BIT', 'BITPOS k 1', 'BITPOS k 0', 'BITOP AND j k', 'BITOP NOT j k', 'BITFIELD k GET u8 0',
  'BITFIELD k INCRBY u8 0 1', 'BITFIELD_RO k GET u8 0', 'PFADD k a', 'PFCOUNT k', 'PFMERGE j k', 'PFMERGE k', 'GEOADD k 1 1 m', 'GEOPOS k m', 'GEODIST k m n',
  'GEOHASH k m', 'GEOSEARCH k FROMLONLAT 0 0 BYRADIUS 1000 km', 'GEOSEARCHSTORE j k FROMLONLAT 0 0 BYRADIUS 1000 km', 'SORT k', 'SORT k ALPHA', 'SORT_RO k ALPHA',
  'SORT k ALPHA STORE j', 'LCS k j', 'LCS j k LEN', 'SUBSTR k 0 1', 'MOVE k 0', 'WAIT 0 0',
];
const LATER_MATRIX: readonly string[] = LATER_KEY_STATES.flatMap((state) => LATER_MATRIX_COMMANDS.map((command) =>
  [...(state === '' ? [] : [state]), command, 'TYPE k', 'TYPE j', 'STRLEN j'].join(' | ')));

export const SEQUENCES: readonly string[] = [
  ...STRINGS_SET, ...STRINGS_SETNX_SETEX, ...STRINGS_GETSET_GETDEL_GETEX, ...STRINGS_MULTI_KEY, ...STRINGS_INCR, ...STRINGS_INCRBYFLOAT,
  ...STRINGS_APPEND_RANGE, ...STRINGS_WRONGTYPE, ...KEYS_BASIC, ...KEYS_EXPIRE, ...KEYS_RENAME_COPY, ...KEYS_PATTERNS, ...KEYS_SCAN,
  ...CONNECTION_AND_SERVER, ...COLLECTIONS, ...HASHES, ...LISTS, ...SETS, ...SORTED_SETS, ...GEO, ...STREAMS, ...STREAM_GROUPS, ...STRINGS_LCS_SUBSTR, ...BITMAPS, ...HYPERLOGLOG, ...SORT, ...PUBSUB, ...TRANSACTIONS, ...MATRIX, ...LATER_MATRIX,
];

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    tokens.push(match[1] !== undefined ? match[1].replace(/\\(.)/gs, '$1') : match[2]);
  }
  return tokens;
}

/** Splits a sequence into commands (see the format at the top of this file). */
export function parseSequence(sequence: string): DifferentialCommand[] {
  const commands: DifferentialCommand[] = [];
  // Bars inside quotes are arguments, so split on " | " only outside quoted strings.
  const parts = sequence.match(/(?:"(?:[^"\\]|\\.)*"|[^|"])+/g) ?? [];
  for (const part of parts) {
    const trimmed = part.trim();
    const unordered = trimmed.startsWith('~');
    const args = tokenize(unordered ? trimmed.slice(1) : trimmed);
    assert.ok(args.length > 0, `empty command in ${JSON.stringify(sequence)}`);
    commands.push({ args, unordered });
  }
  return commands;
}
