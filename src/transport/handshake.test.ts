import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Handshake } from './handshake.js';
import type { HandshakeOptions, HandshakeStep } from './handshake.js';

const accepting = (): string | undefined => undefined;

function side(overrides: Partial<HandshakeOptions> & Pick<HandshakeOptions, 'role' | 'nodeId'>): Handshake {
  return new Handshake({ secret: 'sesame', clusterName: 'test', refusePeer: accepting, ...overrides });
}

/** Runs both sides as the connection does: hellos cross, then each answers the other's. */
function run(dialer: Handshake, acceptor: Handshake): { dialer: HandshakeStep; acceptor: HandshakeStep } {
  const dialerAfterHello = dialer.receive(acceptor.hello);
  const acceptorAfterHello = acceptor.receive(dialer.hello);
  return {
    dialer: dialerAfterHello.kind === 'continue' && acceptorAfterHello.kind === 'continue' ? dialer.receive(acceptorAfterHello.reply) : dialerAfterHello,
    acceptor: acceptorAfterHello.kind === 'continue' && dialerAfterHello.kind === 'continue' ? acceptor.receive(dialerAfterHello.reply) : acceptorAfterHello,
  };
}

describe('peer handshake', () => {
  test('two sides with the same secret and cluster learn each other\'s node id', () => {
    const result = run(side({ role: 'dialer', nodeId: 1 }), side({ role: 'acceptor', nodeId: 2 }));
    assert.deepEqual(result, { dialer: { kind: 'done', peer: 2 }, acceptor: { kind: 'done', peer: 1 } });
  });

  test('the secret itself never appears in what is sent', () => {
    const dialer = side({ role: 'dialer', nodeId: 1 });
    const acceptor = side({ role: 'acceptor', nodeId: 2 });
    const reply = dialer.receive(acceptor.hello);
    assert.equal(reply.kind, 'continue');
    for (const frame of [dialer.hello, reply.kind === 'continue' ? Buffer.from(reply.reply) : Buffer.alloc(0)]) {
      assert.equal(frame.includes('sesame'), false);
    }
  });

  test('a different secret fails on both sides', () => {
    const result = run(side({ role: 'dialer', nodeId: 1 }), side({ role: 'acceptor', nodeId: 2, secret: 'open' }));
    assert.equal(result.dialer.kind, 'failed');
    assert.equal(result.acceptor.kind, 'failed');
    assert.match(result.acceptor.kind === 'failed' ? result.acceptor.reason : '', /secret/);
  });

  test('a different cluster name is refused at the hello, naming both clusters', () => {
    const result = run(side({ role: 'dialer', nodeId: 1 }), side({ role: 'acceptor', nodeId: 2, clusterName: 'other' }));
    assert.deepEqual(result.dialer, { kind: 'failed', reason: "remote belongs to cluster 'other', not 'test'" });
  });

  test('a peer the local side does not expect is refused with the local reason', () => {
    const result = run(side({ role: 'dialer', nodeId: 1, refusePeer: (id) => (id === 3 ? undefined : 'expected node 3') }), side({ role: 'acceptor', nodeId: 2 }));
    assert.deepEqual(result.dialer, { kind: 'failed', reason: 'remote says it is node 2: expected node 3' });
  });

  test('a peer claiming our own node id is refused', () => {
    const result = run(side({ role: 'dialer', nodeId: 2 }), side({ role: 'acceptor', nodeId: 2 }));
    assert.equal(result.dialer.kind, 'failed');
  });

  test('a proof reflected back to its sender is refused', () => {
    const dialer = side({ role: 'dialer', nodeId: 1 });
    const acceptor = side({ role: 'acceptor', nodeId: 2 });
    const dialerProof = dialer.receive(acceptor.hello);
    assert.equal(dialerProof.kind, 'continue');
    assert.equal(dialer.receive(dialerProof.kind === 'continue' ? dialerProof.reply : new Uint8Array()).kind, 'failed');
  });

  test('a proof from an earlier connection does not pass on a new one', () => {
    const first = { dialer: side({ role: 'dialer', nodeId: 1 }), acceptor: side({ role: 'acceptor', nodeId: 2 }) };
    first.dialer.receive(first.acceptor.hello);
    const oldProof = first.acceptor.receive(first.dialer.hello);
    const dialer = side({ role: 'dialer', nodeId: 1 });
    dialer.receive(first.acceptor.hello);
    assert.equal(oldProof.kind, 'continue');
    assert.equal(dialer.receive(oldProof.kind === 'continue' ? oldProof.reply : new Uint8Array()).kind, 'failed');
  });

  test('garbage instead of a hello or a proof fails without throwing', () => {
    assert.equal(side({ role: 'acceptor', nodeId: 2 }).receive(Buffer.from('PING\r\n')).kind, 'failed');
    const acceptor = side({ role: 'acceptor', nodeId: 2 });
    assert.equal(acceptor.receive(side({ role: 'dialer', nodeId: 1 }).hello).kind, 'continue');
    assert.equal(acceptor.receive(Buffer.alloc(33, 2)).kind, 'failed');
  });
});
