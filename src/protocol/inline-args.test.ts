// sdssplitargs cases; the expected splits were checked against redis-server's inline parser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitInlineArgs } from './inline-args.js';

function split(line: string): string[] | undefined {
  const bytes = Buffer.from(`..${line}..`, 'latin1');
  return splitInlineArgs(bytes, 2, bytes.length - 2);
}

const cases: Array<[rule: string, line: string, args: string[] | undefined]> = [
  ['spaces and tabs separate arguments', 'SET  key\tvalue', ['SET', 'key', 'value']],
  ['leading and trailing blanks are ignored', ' \t PING \t ', ['PING']],
  ['a blank line has no arguments', ' \t\u000b\u000c ', []],
  ['an empty line has no arguments', '', []],
  ['\\v and \\f separate only before an argument: inside a word they are kept', 'ECHO a\u000bb\u000cc', ['ECHO', 'a\u000bb\u000cc']],
  ['\\v before an argument is a blank', 'ECHO \u000ba', ['ECHO', 'a']],
  ['a CR inside the line separates', 'GET a\rb', ['GET', 'a', 'b']],
  ['double quotes keep blanks', '"a b"  "c\td"', ['a b', 'c\td']],
  ['double quotes know \\n \\r \\t \\b \\a', '"\\n\\r\\t\\b\\a"', ['\n\r\t\b\u0007']],
  ['\\xHH in double quotes is a byte, either case of hex', '"\\x41\\x6a\\xFF\\x00"', ['Aj\u00ff\u0000']],
  ['\\x without two hex digits is just x', '"\\x4g\\x"', ['x4gx']],
  ['any other escaped char is itself, quotes and backslashes too', '"\\q\\"\\\\"', ['q"\\']],
  ['an empty double-quoted argument', 'ECHO ""', ['ECHO', '']],
  ['single quotes are literal except \\\'', "'a\\nb' 'it\\'s'", ['a\\nb', "it's"]],
  ['an empty single-quoted argument', "ECHO ''", ['ECHO', '']],
  ['a quote inside a word opens quoting', 'foo"bar baz"', ['foobar baz']],
  ['a closing quote may be followed by a tab or \\v', '"a"\t"b"\u000b', ['a', 'b']],
  ['a closing quote followed by a letter is unbalanced', '"a"b', undefined],
  ['a closing single quote followed by a letter is unbalanced', "'a'b", undefined],
  ['a word whose quote closes inside it is unbalanced', 'a"b c"d', undefined],
  ['an unterminated double quote is unbalanced', 'SET "abc', undefined],
  ['an unterminated single quote is unbalanced', "SET 'abc", undefined],
  ['an escaped closing quote does not close', 'ECHO "a\\"', undefined],
  ['a backslash at the end inside quotes is unbalanced', 'ECHO "a\\', undefined],
  ['bytes above 127 are kept as they are', 'ECHO \u00e9\u00ff', ['ECHO', '\u00e9\u00ff']],
];

for (const [rule, line, args] of cases) {
  test(`inline split: ${rule}`, () => {
    assert.deepEqual(split(line), args);
  });
}

test('inline split reads only the given range of the buffer', () => {
  const bytes = Buffer.from('"x" GET key "y"', 'latin1');
  assert.deepEqual(splitInlineArgs(bytes, 4, 11), ['GET', 'key']);
});
