// Unit tests of the page's pure parts (node --test): the wire codec and the
// plain-words errors. The end-to-end test (e2e.mjs) covers the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, decode } from '@msgpack/msgpack';
import { encodeRequest, decodeReply, toMsgPack, ChorusError } from '../src/wire.js';
import { errorText } from '../src/ui.js';

const id = '0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';

test('requests go in JSON, where a uuid is a string: nothing is guessed', () => {
  const { bytes, json } = encodeRequest('chorus.catalog.v1.track.get', { id, name: id, limit: 5, skip: undefined });
  assert.equal(json, true);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), { id, name: id, limit: 5 });
  assert.deepEqual(decodeReply(new TextEncoder().encode(JSON.stringify({ id, tracks: [{ id }] }))), { id, tracks: [{ id }] });
});

test('the binary subjects go in MessagePack: their listed uuid fields as 16 bytes, audio as bytes', () => {
  const { bytes, json } = encodeRequest('chorus.stream.v1.chunk.get', { session_id: id, index: 3 });
  assert.equal(json, false);
  const sent = decode(bytes);
  assert.ok(sent.session_id instanceof Uint8Array && sent.session_id.length === 16);
  assert.equal(sent.session_id[0], 0x01);
  assert.equal(sent.session_id[15], 0x6b);
  assert.equal(sent.index, 3);
  const art = decode(encodeRequest('chorus.catalog.v1.art.get', { name: id }).bytes);
  assert.equal(art.name, id, 'a name that looks like a uuid stays text');
  const data = new Uint8Array(16).fill(7);
  const reply = decodeReply(encode({ index: 3, data }));
  assert.ok(reply.data instanceof Uint8Array && reply.data.length === 16, 'a 16-byte chunk stays audio');
  assert.deepEqual(toMsgPack({ a: 1, b: undefined }, new Set()), { a: 1 });
});

test('service errors are told in plain words', () => {
  const e = (status, code, extra = {}) => errorText(new ChorusError({ status, code, message: 'x', ...extra }));
  assert.match(e(401, 'invalid_credentials'), /do not match/);
  assert.match(e(401, 'token_expired'), /sign in again/i);
  assert.match(e(403, 'forbidden'), /not allowed/);
  assert.match(e(404, 'album_not_found'), /could not find that album/);
  assert.match(e(429, 'too_many_attempts', { retryAfterMs: 4000 }), /4 seconds/);
  assert.match(e(503, 'overloaded'), /busy/);
  assert.match(e(409, 'username_taken'), /taken/);
});
