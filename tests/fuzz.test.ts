// Random and malformed byte streams against a live node: it never crashes, answers only
// with valid RESP (protocol errors included), and a well-behaved client keeps being served.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { CommandParser, ProtocolError } from '../src/protocol/parser.js';

/** Checks that `text` is a sequence of complete RESP2 replies (what a RESP2 client may get). */
function isValidReplyStream(text: string): boolean {
  let at = 0;
  const line = (): string | undefined => {
    const end = text.indexOf('\r\n', at);
    if (end === -1) return undefined;
    const value = text.slice(at, end);
    at = end + 2;
    return value;
  };
  const reply = (depth: number): boolean => {
    if (depth > 64) return false;
    const header = line();
    if (header === undefined || header.length === 0) return false;
    const type = header[0];
    const body = header.slice(1);
    if (type === '+' || type === '-') return true;
    if (type === ':') return /^-?\d+$/.test(body);
    if (type === '$') {
      const length = Number(body);
      if (length === -1) return true;
      if (!Number.isInteger(length) || length < 0 || at + length + 2 > text.length) return false;
      at += length + 2;
      return text.slice(at - 2, at) === '\r\n';
    }
    if (type === '*') {
      const count = Number(body);
      if (count === -1) return true;
      for (let i = 0; i < count; i++) if (!reply(depth + 1)) return false;
      return true;
    }
    return false;
  };
  while (at < text.length) if (!reply(0)) return false;
  return true;
}

const fragment = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom('*', '$', '\r\n', '*2\r\n', '$3\r\n', 'SET', 'GET', 'PING', '"', "'", '*-1\r\n', '$-1\r\n', '*0\r\n', ' ', '\n', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n'),
  fc.string({ maxLength: 20 }),
);

describe('fuzz', () => {
  let node: NodeProcess;

  before(async () => {
    node = await startNodeProcess();
  });

  after(async () => {
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('the parser only ever returns commands or throws ProtocolError, on any bytes', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), (chunks) => {
      const parser = new CommandParser();
      try {
        for (const chunk of chunks) {
          parser.feed(Buffer.from(chunk));
          for (let i = 0; i < 1000 && parser.next() !== undefined; i++);
        }
      } catch (error) {
        assert.ok(error instanceof ProtocolError, String(error));
      }
    }), { numRuns: 2000 });
  });

  test('random byte streams get valid replies or a protocol error; a bystander is unaffected', async () => {
    const bystander = client(node.port);
    let rounds = 0;
    await fc.assert(fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 12 }), async (fragments) => {
      const raw = await RawClient.connect(node.port);
      for (const piece of fragments) raw.send(piece);
      raw.send('\r\nPING\r\n');
      let text = '';
      try {
        text = await raw.readUntil('+PONG\r\n', 500);
      } catch {
        // Still waiting for the rest of an announced bulk or multibulk: fine, nothing to check.
      }
      raw.close();
      if (text !== '') assert.ok(isValidReplyStream(text), `not RESP: ${JSON.stringify(text)}`);
      rounds++;
      assert.equal(await bystander.set(`fuzz:${rounds}`, String(rounds)), 'OK');
      assert.equal(await bystander.get(`fuzz:${rounds}`), String(rounds));
    }), { numRuns: 150 });
    assert.equal(node.child.exitCode, null, 'the node is still running');
    bystander.disconnect();
  });
});
