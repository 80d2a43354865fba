// The start of every peer connection: each side proves it knows the cluster secret without
// sending it, and learns which node is on the other end.
//
//   both sides:  hello  u8 1  u32 nodeId  nonce[32]  clusterName (utf8, the rest of the frame)
//   both sides:  proof  u8 2  HMAC-SHA256(secret, transcript of the own role)
//
// transcript = "shoal-peer-v1\0" | u8 role | dialer nonce | acceptor nonce | u32 dialer id |
//              u32 acceptor id | cluster name
//
// Each side answers the other's fresh nonce, so a recorded proof is useless on a later
// connection; the role byte differs between the two proofs, so a peer cannot reflect ours back.
// The cluster name is in the hello (so nodes of different clusters refuse each other with a
// clear reason even when they share a secret) and in the transcript (so it cannot be altered).
//
// This module only computes; the connection sends the messages and enforces the timeout.

import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type HandshakeRole = 'dialer' | 'acceptor';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 2000;
/** Handshake frames are tiny; before the peer is proven, larger frames are refused. */
export const MAX_HANDSHAKE_FRAME_BYTES = 1024;
const NONCE_BYTES = 32;

const HELLO = 1;
const PROOF = 2;
const HELLO_FIXED_BYTES = 1 + 4 + NONCE_BYTES;
const PROOF_BYTES = 1 + 32;
const TRANSCRIPT_LABEL = Buffer.from('shoal-peer-v1\0', 'latin1');
const MAX_NODE_ID = 0xffff_ffff;

export interface HandshakeOptions {
  readonly role: HandshakeRole;
  readonly nodeId: number;
  readonly secret: string;
  readonly clusterName: string;
  /** Why a remote that says it is node `id` may not be this connection's peer, if it may not. */
  readonly refusePeer: (id: number) => string | undefined;
}

export type HandshakeStep =
  | { readonly kind: 'continue'; readonly reply: Uint8Array }
  | { readonly kind: 'done'; readonly peer: number }
  | { readonly kind: 'failed'; readonly reason: string };

interface Hello { readonly nodeId: number; readonly nonce: Buffer; readonly clusterName: string }

export function isValidNodeId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= MAX_NODE_ID;
}

/** One side of one connection's handshake: feed it the peer's frames until done or failed. */
export class Handshake {
  /** The first frame to send, right when the connection opens. */
  readonly hello: Buffer;
  private remote: Hello | undefined;
  private finished = false;

  constructor(private readonly options: HandshakeOptions, private readonly nonce: Buffer = randomBytes(NONCE_BYTES)) {
    assert.ok(isValidNodeId(options.nodeId), `node id ${options.nodeId}`);
    assert.ok(options.secret.length > 0, 'the cluster secret must not be empty');
    assert.equal(nonce.length, NONCE_BYTES, 'nonce size');
    const name = Buffer.from(options.clusterName, 'utf8');
    assert.ok(HELLO_FIXED_BYTES + name.length <= MAX_HANDSHAKE_FRAME_BYTES, 'cluster name too long for a hello');
    this.hello = Buffer.allocUnsafe(HELLO_FIXED_BYTES + name.length);
    let at = this.hello.writeUInt8(HELLO, 0);
    at = this.hello.writeUInt32LE(options.nodeId, at);
    at += nonce.copy(this.hello, at);
    name.copy(this.hello, at);
  }

  /** The next step after the peer's frame `payload`: a frame to send back, success, or why not. */
  receive(payload: Uint8Array): HandshakeStep {
    assert.ok(!this.finished, 'handshake frame after the handshake finished');
    const step = this.remote === undefined ? this.receiveHello(Buffer.from(payload.buffer, payload.byteOffset, payload.length)) : this.receiveProof(payload);
    if (step.kind !== 'continue') this.finished = true;
    return step;
  }

  private receiveHello(payload: Buffer): HandshakeStep {
    if (payload.length < HELLO_FIXED_BYTES || payload[0] !== HELLO) return { kind: 'failed', reason: 'the first frame is not a hello' };
    const hello: Hello = {
      nodeId: payload.readUInt32LE(1),
      nonce: Buffer.from(payload.subarray(5, 5 + NONCE_BYTES)),
      clusterName: payload.subarray(HELLO_FIXED_BYTES).toString('utf8'),
    };
    if (hello.clusterName !== this.options.clusterName) return { kind: 'failed', reason: `remote belongs to cluster '${hello.clusterName}', not '${this.options.clusterName}'` };
    if (!isValidNodeId(hello.nodeId) || hello.nodeId === this.options.nodeId) return { kind: 'failed', reason: `remote says it is node ${hello.nodeId}` };
    const refused = this.options.refusePeer(hello.nodeId);
    if (refused !== undefined) return { kind: 'failed', reason: `remote says it is node ${hello.nodeId}: ${refused}` };
    this.remote = hello;
    const proof = Buffer.allocUnsafe(PROOF_BYTES);
    proof[0] = PROOF;
    this.mac(this.options.role).copy(proof, 1);
    return { kind: 'continue', reply: proof };
  }

  private receiveProof(payload: Uint8Array): HandshakeStep {
    assert.ok(this.remote !== undefined, 'proof before hello');
    if (payload.length !== PROOF_BYTES || payload[0] !== PROOF) return { kind: 'failed', reason: 'the second frame is not a proof' };
    const expected = this.mac(this.options.role === 'dialer' ? 'acceptor' : 'dialer');
    if (!timingSafeEqual(expected, payload.subarray(1))) return { kind: 'failed', reason: 'wrong proof of the cluster secret (the secrets differ)' };
    return { kind: 'done', peer: this.remote.nodeId };
  }

  private mac(role: HandshakeRole): Buffer {
    assert.ok(this.remote !== undefined, 'a proof needs the peer hello');
    const local = { nodeId: this.options.nodeId, nonce: this.nonce };
    const [dialer, acceptor] = this.options.role === 'dialer' ? [local, this.remote] : [this.remote, local];
    const ids = Buffer.allocUnsafe(8);
    ids.writeUInt32LE(dialer.nodeId, 0);
    ids.writeUInt32LE(acceptor.nodeId, 4);
    return createHmac('sha256', this.options.secret)
      .update(TRANSCRIPT_LABEL)
      .update(Uint8Array.of(role === 'dialer' ? 1 : 2))
      .update(dialer.nonce)
      .update(acceptor.nonce)
      .update(ids)
      .update(this.options.clusterName, 'utf8')
      .digest();
  }
}
