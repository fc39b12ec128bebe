// Unit tests of the page's pure parts (node --test): the wire codec and the
// plain-words errors. The end-to-end test (e2e.mjs) covers the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, decode } from '@msgpack/msgpack';
import { toWire, fromWire, ChorusError } from '../src/wire.js';
import { errorText } from '../src/ui.js';

const id = '0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';

test('uuids in id fields travel as 16 bytes, as rmp-serde encodes them', () => {
  const wire = toWire({ id, ids: [id], track_id: id, tracks: [id], name: id, q: id, limit: 5 });
  for (const k of ['id', 'track_id']) {
    assert.ok(wire[k] instanceof Uint8Array && wire[k].length === 16, k);
  }
  assert.equal(wire.ids[0].length, 16);
  assert.equal(wire.tracks[0].length, 16);
  assert.equal(wire.name, id, 'a name that looks like a uuid stays text');
  assert.equal(wire.q, id, 'a search that looks like a uuid stays text');
  assert.equal(wire.limit, 5);
  assert.equal(wire.id[0], 0x01);
  assert.equal(wire.id[15], 0x6b);
});

test('replies: 16-byte bins become uuid strings, audio data stays bytes', () => {
  const data = new Uint8Array(16).fill(7);
  const reply = fromWire(decode(encode(toWire({ id, tracks: [{ id, title: 'x' }], index: 3, data }))));
  assert.equal(reply.id, id);
  assert.equal(reply.tracks[0].id, id);
  assert.equal(reply.index, 3);
  assert.ok(reply.data instanceof Uint8Array);
  assert.deepEqual([...reply.data], [...data]);
});

test('undefined fields are left out, so optional fields stay absent', () => {
  assert.deepEqual(Object.keys(toWire({ a: 1, b: undefined })), ['a']);
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
