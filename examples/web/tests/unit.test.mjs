// Unit tests of the page's pure parts (node --test): the wire codec, the
// plain-words errors, paying (money, plans, idempotency keys), and radio
// (when to ask for more, what a skip is). The end-to-end test (e2e.mjs)
// covers the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, decode } from '@msgpack/msgpack';
import { encodeRequest, decodeReply, toMsgPack, ChorusError } from '../src/wire.js';
import { errorText } from '../src/ui.js';
import {
  formatMoney, priceLabel, yearlySaving, currentPlanId, needsNewCard, isLive, groupCardNumber, fullYear, cardExpired,
  keptByService, retryable, Intent, uuid, tokenPlan, expiryLabel, cardLabel,
} from '../src/billing.js';
import { payment, recommend, IDEMPOTENCY_KEY, serviceName } from '../src/subjects.js';
import { Radio, isSkip, refillRequest, SKIP_BEFORE_S, MAX_SKIPS } from '../src/radio.js';

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

// ---- payment (billing.js) ----

const plans = [
  { id: 'free', name: 'Free', tier: 'free', amount: 0, currency: 'EUR', interval: 'none' },
  { id: 'premium_monthly', name: 'Premium, monthly', tier: 'premium', amount: 999, currency: 'EUR', interval: 'month' },
  { id: 'premium_yearly', name: 'Premium, yearly', tier: 'premium', amount: 9990, currency: 'EUR', interval: 'year' },
];

test('payment subjects follow subjects.md', () => {
  for (const subject of Object.values(payment)) assert.match(subject, /^chorus\.payment\.v1\.[a-z]+\.[a-z]+$/);
  assert.equal(payment.subscriptionCreate, 'chorus.payment.v1.subscription.create');
  assert.equal(payment.methodDefault, 'chorus.payment.v1.method.default');
  assert.equal(IDEMPOTENCY_KEY, 'Chorus-Idempotency-Key');
  assert.equal(serviceName(payment.planList), 'payments');
});

test('money is formatted from integer minor units, exactly', () => {
  assert.equal(formatMoney(999, 'EUR', 'en-US'), '€9.99');
  assert.equal(formatMoney(9990, 'EUR', 'en-US'), '€99.90');
  assert.equal(formatMoney(999, 'EUR', 'de-DE'), '9,99\u00a0€');
  assert.equal(formatMoney(5, 'USD', 'en-US'), '$0.05');
  assert.equal(formatMoney(-250, 'EUR', 'en-US'), '-€2.50');
  assert.equal(formatMoney(1500, 'JPY', 'en-US'), '¥1,500', 'no minor unit: 1500 is ¥1,500');
  assert.equal(formatMoney(1234, 'KWD', 'en-US').replace(/\s/g, ' '), 'KWD 1.234', 'three decimals');
  assert.equal(formatMoney(123456789012, 'EUR', 'en-US'), '€1,234,567,890.12');
  assert.equal(priceLabel(plans[1], 'en-US'), '€9.99 / month');
  assert.equal(priceLabel(plans[2], 'en-US'), '€99.90 / year');
  assert.equal(priceLabel(plans[0], 'en-US'), 'Free');
  assert.equal(yearlySaving(plans, plans[2]), 16);
  assert.equal(yearlySaving(plans, plans[1]), null);
});

test('the current plan and the banner follow subscription.get', () => {
  const sub = (status, extra = {}) => ({ id: 'x', plan: 'premium_yearly', tier: 'premium', status, ...extra });
  assert.equal(currentPlanId(plans, { subscription: null, entitlement: 'free' }), 'free');
  assert.equal(currentPlanId(plans, { subscription: sub('active'), entitlement: 'premium' }), 'premium_yearly');
  assert.equal(currentPlanId(plans, { subscription: sub('past_due'), entitlement: 'premium' }), 'premium_yearly');
  assert.equal(currentPlanId(plans, { subscription: sub('unpaid'), entitlement: 'free' }), 'free');
  assert.equal(currentPlanId(plans, { subscription: sub('incomplete'), entitlement: 'free' }), 'free');
  assert.equal(currentPlanId(plans, { subscription: sub('canceled'), entitlement: 'free' }), 'free');
  assert.ok(needsNewCard(sub('past_due')) && needsNewCard(sub('unpaid')));
  assert.ok(!needsNewCard(sub('active')) && !needsNewCard(sub('canceled')) && !needsNewCard(null));
  assert.ok(isLive(sub('incomplete')) && isLive(sub('unpaid')) && !isLive(sub('canceled')) && !isLive(sub('incomplete_expired')));
});

test('cards as typed and as kept', () => {
  assert.equal(groupCardNumber('4242424242424242'), '4242 4242 4242 4242');
  assert.equal(groupCardNumber('4000-0027-6000-3184'), '4000 0027 6000 3184');
  assert.equal(groupCardNumber('378282246310005'), '3782 822463 10005');
  assert.equal(fullYear('28'), 2028);
  assert.equal(fullYear('2031'), 2031);
  assert.ok(Number.isNaN(fullYear('soon')));
  const card = { brand: 'visa', last4: '4242', exp_month: 3, exp_year: 2030 };
  assert.equal(cardLabel(card), 'Visa •••• 4242');
  assert.equal(expiryLabel(card), '03/30');
  assert.ok(cardExpired(card, new Date(2030, 3, 1)));
  assert.ok(!cardExpired(card, new Date(2030, 2, 31)));
});

test('an idempotency key per intent: kept for retries, new after a final answer', async () => {
  const err = (status, code) => new ChorusError({ status, code, message: code });
  assert.match(uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(uuid(), uuid());
  // What the service keeps for a key (subjects.md: 4xx but conflict; not 5xx, not request_in_progress).
  assert.ok(keptByService(err(402, 'card_declined')) && keptByService(err(409, 'already_subscribed')));
  assert.ok(!keptByService(err(409, 'conflict')) && !keptByService(err(409, 'request_in_progress')));
  assert.ok(!keptByService(err(503, 'processing_error')) && !keptByService(err(504, 'timeout')) && !keptByService(err(403, 'not_permitted')));
  assert.ok(retryable(err(503, 'processing_error')) && retryable(err(409, 'request_in_progress')) && retryable(err(504, 'timeout')));
  assert.ok(!retryable(err(402, 'card_declined')) && !retryable(err(403, 'not_permitted')));

  let n = 0;
  const intent = new Intent(() => `key-${++n}`);
  const seen = [];
  const wait = async () => {};
  // A timeout, then request_in_progress, then the reply: one key throughout; a new one after.
  const answers = [err(504, 'timeout'), err(409, 'request_in_progress'), { ok: true }];
  const reply = await intent.send(async (headers) => {
    seen.push(headers[IDEMPOTENCY_KEY]);
    const a = answers.shift();
    if (a instanceof Error) throw a;
    return a;
  }, { wait });
  assert.deepEqual(reply, { ok: true });
  assert.deepEqual(seen, ['key-1', 'key-1', 'key-1']);
  assert.equal(intent.key, 'key-2');
  // A decline is final for its key: the next try (another card) is a new intent.
  await assert.rejects(intent.send(async () => { throw err(402, 'card_declined'); }, { wait }), { code: 'card_declined' });
  assert.equal(intent.key, 'key-3');
  // A 503 that does not pass: the key stays, for the listener's "try again".
  let tries = 0;
  await assert.rejects(intent.send(async () => { tries++; throw err(503, 'processing_error'); }, { wait, attempts: 3 }), { code: 'processing_error' });
  assert.equal(tries, 3);
  assert.equal(intent.key, 'key-3');
});

test('the plan comes from the access token', () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  assert.equal(tokenPlan(`${b64({ alg: 'EdDSA' })}.${b64({ sub: 'x', plan: 'premium', name: 'ünï' })}.sig`), 'premium');
  assert.equal(tokenPlan('garbage'), null);
});

test('payment errors are told in plain words', () => {
  const e = (status, code, subject) => errorText(new ChorusError({ status, code, message: 'x', subject }));
  assert.match(e(400, 'invalid_card_number'), /card number is not valid/);
  assert.match(e(400, 'card_expired'), /expired/);
  assert.match(e(402, 'card_declined'), /declined/);
  assert.match(e(402, 'insufficient_funds'), /insufficient funds/);
  assert.match(e(402, 'something_new'), /declined/);
  assert.match(e(409, 'method_in_use'), /default/);
  assert.match(e(409, 'invalid_state', 'chorus.payment.v1.subscription.resume'), /nothing to resume/);
  assert.match(e(409, 'invalid_state', 'chorus.payment.v1.subscription.confirm'), /no payment waiting/);
  assert.match(e(503, 'processing_error'), /not be charged twice/);
});

// ---- recommend (radio.js) ----

test('recommend subjects follow subjects.md', () => {
  for (const subject of Object.values(recommend)) assert.match(subject, /^chorus\.recommend\.v1\.[a-z]+\.[a-z]+$/);
  assert.deepEqual(Object.values(recommend).sort(), [
    'chorus.recommend.v1.artist.similar', 'chorus.recommend.v1.artist.top', 'chorus.recommend.v1.radio.next', 'chorus.recommend.v1.radio.start',
    'chorus.recommend.v1.track.similar', 'chorus.recommend.v1.user.mix',
  ]);
  assert.equal(serviceName(recommend.radioNext), 'recommendations');
});

test('a skip is Next pressed before 30 s of the track played', () => {
  assert.equal(SKIP_BEFORE_S, 30);
  assert.ok(isSkip(0) && isSkip(12.5) && isSkip(29.99));
  assert.ok(!isSkip(30) && !isSkip(31.7) && !isSkip(240));
  assert.ok(isSkip(NaN) && isSkip(undefined), 'no position yet (still loading) is the start');
});

test('a radio asks for more when 3 or fewer tracks are left after the current one', () => {
  const radio = { id: 'r1', skipped: ['a', 'b'], pending: false, dry: false, retryAt: 0 };
  const at = (length, index, r = radio, now = 1000) => refillRequest({ length, index, radio: r, now });
  assert.equal(at(10, 5), null, '4 left');
  assert.deepEqual(at(10, 6), { radio_id: 'r1', limit: 10, skipped: ['a', 'b'] }, '3 left');
  assert.deepEqual(at(10, 9)?.radio_id, 'r1', 'the last one plays');
  assert.deepEqual(at(3, 0)?.radio_id, 'r1', 'a short first batch');
  assert.equal(at(10, 9, null), null, 'no radio');
  assert.equal(at(10, 9, { ...radio, pending: true }), null, 'one request at a time');
  assert.equal(at(10, 9, { ...radio, dry: true }), null, 'the catalog ran out');
  assert.equal(at(10, 9, { ...radio, retryAt: 5000 }), null, 'waiting after a failure');
  assert.equal(at(10, 9, { ...radio, retryAt: 5000 }, 5000)?.radio_id, 'r1', 'and after the wait');
  const many = Array.from({ length: 70 }, (_, i) => `s${i}`);
  const { skipped } = at(10, 9, { ...radio, skipped: many });
  assert.equal(skipped.length, MAX_SKIPS);
  assert.equal(skipped.at(-1), 's69', 'the newest skips');
});

/** A player as Radio sees it: a queue, an index, and its events. */
class FakePlayer extends EventTarget {
  queue = [];
  index = -1;
  playList(tracks, index) {
    this.queue = [...tracks];
    this.dispatchEvent(new Event('newqueue'));
    this.index = index;
    this.dispatchEvent(new Event('change'));
  }
  enqueue(tracks) {
    this.queue.push(...tracks);
    this.dispatchEvent(new Event('change'));
  }
  next(positionS) {
    this.dispatchEvent(Object.assign(new Event('next'), { track: this.queue[this.index], positionS }));
    this.index++;
    this.dispatchEvent(new Event('change'));
  }
}

test('a radio fills the queue, tells of skips, and ends with a new queue', async () => {
  const pick = (id) => ({ track_id: id, score: 1, reason: 'seed', reason_text: `Because of ${id}` });
  const sent = [];
  const batches = [['t1', 't2', 't3', 't4', 't5', 't6', 't7'], ['t8', 't2', 't9'], []];
  const session = {
    call: async (subject, body) => {
      sent.push({ subject, body });
      return { radio_id: 'r1', tracks: batches.shift().map(pick) };
    },
  };
  const player = new FakePlayer();
  const radio = new Radio(session, player, async (ids) => ids.map((id) => ({ id })));
  const settle = () => new Promise((r) => setTimeout(r, 0));

  assert.equal(await radio.start({ kind: 'track', id: 't0' }, 'Blue in Green'), 7);
  assert.deepEqual(sent[0], { subject: recommend.radioStart, body: { seed: { kind: 'track', id: 't0' }, limit: 10 } });
  assert.deepEqual(player.queue.map((t) => t.id), ['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
  assert.equal(radio.name, 'Blue in Green');
  assert.equal(radio.reason('t3'), 'Because of t3');

  player.next(4); // t1 after 4 s: a skip
  player.next(31); // t2 after 31 s: listened to
  await settle();
  assert.equal(sent.length, 1, '4 tracks left: nothing asked yet');
  player.next(2); // t3: a skip; 3 left
  await settle();
  assert.deepEqual(sent[1], { subject: recommend.radioNext, body: { radio_id: 'r1', limit: 10, skipped: ['t1', 't3'] } });
  assert.deepEqual(player.queue.map((t) => t.id), ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'], 'appended, none twice');

  player.next(1);
  player.next(1); // t5: 3 left again
  await settle();
  assert.deepEqual(sent[2].body.skipped, ['t4', 't5'], 'each skip is told once');
  player.next(1);
  await settle();
  assert.equal(sent.length, 3, 'an empty batch: the radio ran dry and asks no more');

  player.playList([{ id: 'x' }], 0); // the listener plays something else
  assert.equal(radio.name, null);
  assert.equal(radio.reason('t3'), null);
});

test('a radio that ended is said so, and stops', async () => {
  const ended = new ChorusError({ status: 404, code: 'radio_not_found', message: 'no such radio' });
  const replies = [{ radio_id: 'r1', tracks: [{ track_id: 't1', reason_text: 'x' }] }, ended];
  const session = { call: async () => { const r = replies.shift(); if (r instanceof Error) throw r; return r; } };
  const player = new FakePlayer();
  const radio = new Radio(session, player, async (ids) => ids.map((id) => ({ id })));
  const errors = [];
  radio.addEventListener('error', (e) => errors.push(e.error));
  await radio.start({ kind: 'library' }, 'your library');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(radio.name, null);
  assert.equal(errors.length, 1);
  assert.equal(errorText(errors[0]), 'This radio has ended. Start a new one.');
});

test('recommend errors are told in plain words', () => {
  const e = (status, code) => errorText(new ChorusError({ status, code, message: 'x' }));
  assert.match(e(403, 'not_your_radio'), /another listener/);
  assert.match(e(404, 'genre_not_found'), /genre/);
  assert.match(e(400, 'invalid_adventurousness'), /0 to 1/);
  assert.match(e(400, 'too_many_skips'), /skipped/);
  assert.match(e(404, 'playlist_not_found'), /could not find that playlist/);
  assert.match(e(503, 'hub_unreachable'), /searching and playing go on/);
});

import {
  ALBUM_SORTS, albumQuery, albumHash, albumBrowseBody, decades, letterOf, artistBrowseBody, PAGE, PLAYED, playedAlbumsBody, releaseGroups,
} from '../src/browsing.js';
import { hasAudio, previewsNow, trackAvailability, utcDay } from '../src/availability.js';

test('the albums page reads its sort and filters from the address, and back', () => {
  assert.deepEqual(albumQuery('#/albums'), { sort: 'added', genre: null, decade: null });
  const q = albumQuery('#/albums?sort=year_desc&genre=Post-Rock&decade=1990');
  assert.deepEqual(q, { sort: 'year_desc', genre: 'Post-Rock', decade: 1990 });
  assert.equal(albumHash(q), '#/albums?sort=year_desc&genre=Post-Rock&decade=1990');
  assert.equal(albumHash({ sort: 'added', genre: null, decade: null }), '#/albums');
  assert.equal(albumHash({ sort: 'added', genre: null, decade: 0 }), '#/albums?decade=0');
  // What album.browse would refuse never leaves the page: an unknown sort, a decade that is not one.
  for (const bad of ['sort=most_played', 'decade=1995', 'decade=99990', 'decade=', 'decade=-10', 'decade=19e2']) {
    const got = albumQuery(`#/albums?${bad}`);
    assert.ok(ALBUM_SORTS.some(([s]) => s === got.sort) && (got.decade === null || got.decade % 10 === 0), bad);
    assert.equal(bad.startsWith('sort') ? got.sort : got.decade, bad.startsWith('sort') ? 'added' : null, bad);
  }
  assert.deepEqual(albumBrowseBody(q), { sort: 'year_desc', limit: PAGE, genre: 'Post-Rock', decade: 1990 });
  assert.deepEqual(albumBrowseBody({ sort: 'name', genre: null, decade: null }, 'n.61.x'), { sort: 'name', limit: PAGE, cursor: 'n.61.x' });
  assert.deepEqual(decades(new Date('2026-06-01')).slice(0, 3), [2020, 2010, 2000]);
  assert.equal(decades(new Date('2026-06-01')).at(-1), 1950);
});

test('most played is the listener\'s own list: a sort of its own, paged by play.albums', () => {
  assert.ok(ALBUM_SORTS.some(([s, label]) => s === PLAYED && label === 'Most played'));
  const q = albumQuery('#/albums?sort=played&genre=Jazz');
  assert.equal(q.sort, PLAYED);
  assert.equal(albumHash(q), '#/albums?sort=played&genre=Jazz', 'the filters wait in the address for another sort');
  assert.deepEqual(playedAlbumsBody(), { limit: PAGE });
  assert.deepEqual(playedAlbumsBody('3.x'), { limit: PAGE, cursor: '3.x' });
});

test('an artist\'s releases are filed by type, empty groups left out', () => {
  const a = (id, release_type) => ({ id, release_type });
  const groups = releaseGroups([a(1, 'single'), a(2, 'album'), a(3, 'live'), a(4, 'single'), a(5, null), a(6, 'audiobook'), a(7, 'ep')]);
  assert.deepEqual(groups.map(([t, label, list]) => [t, label, list.map((x) => x.id)]), [
    ['album', 'Albums', [2]], ['ep', 'EPs', [7]], ['single', 'Singles', [1, 4]], ['live', 'Live', [3]], ['other', 'Other releases', [5, 6]],
  ]);
  assert.deepEqual(releaseGroups([]), []);
});

test('the artists page jumps to a letter: from starts the first page, the cursor the rest', () => {
  assert.equal(letterOf('#/artists'), null);
  assert.equal(letterOf('#/artists?from=m'), 'M');
  assert.equal(letterOf('#/artists?from=%23'), null);
  assert.equal(letterOf('#/artists?from=mm'), null);
  assert.deepEqual(artistBrowseBody('M'), { limit: PAGE, from: 'm' });
  assert.deepEqual(artistBrowseBody('M', 'r.6d.x'), { limit: PAGE, cursor: 'r.6d.x' });
  assert.deepEqual(artistBrowseBody(null), { limit: PAGE });
});

test('a track is marked before it is clicked: no audio, or a preview for a free listener past the day\'s full plays', () => {
  const now = new Date('2026-12-01T23:30:00Z');
  const today = utcDay(now);
  assert.equal(today, '2026-12-01');
  assert.equal(hasAudio({ audio_object: null }), false);
  assert.equal(hasAudio({ audio_object: 'abc.opus' }), true);
  assert.equal(trackAvailability({ audio_object: null }, true), 'none');
  assert.equal(trackAvailability({ audio_object: 'abc.opus' }, true), 'preview');
  assert.equal(trackAvailability({ audio_object: 'abc.opus' }, false), 'full');
  assert.equal(previewsNow('free', today, now), true);
  assert.equal(previewsNow('premium', today, now), false, 'premium never previews');
  assert.equal(previewsNow('free', '2026-11-30', now), false, 'a new UTC day brings new full plays');
  assert.equal(previewsNow('free', null, now), false);
});

import { Session } from '../src/session.js';
import { auth } from '../src/subjects.js';

test('with auth out of reach (an edge site whose uplink is down), requests go on with the token the session has', async () => {
  const kept = new Map();
  globalThis.sessionStorage ??= {
    getItem: (k) => kept.get(k) ?? null, setItem: (k, v) => kept.set(k, v), removeItem: (k) => kept.delete(k),
  };
  const sent = [];
  let refreshing = new ChorusError({ status: 503, code: 'hub_unreachable', message: 'The hub is out of reach.' });
  const wire = {
    request: async (subject, body, options) => {
      sent.push({ subject, token: options?.token });
      if (subject === auth.refresh) throw refreshing;
      return { answered: subject };
    },
  };
  let ended = null;
  const session = new Session(wire, (why) => (ended = why));
  const expired = Math.floor(Date.now() / 1000) - 5;
  session.store({ access_token: 'at-the-cut', refresh_token: 'r1', expires_at: expired, user: { id: 'u' } });

  assert.deepEqual(await session.call('chorus.search.v1.catalog.query', { q: 'a' }), { answered: 'chorus.search.v1.catalog.query' });
  assert.deepEqual(sent.map((s) => s.subject), [auth.refresh, 'chorus.search.v1.catalog.query']);
  assert.equal(sent[1].token, 'at-the-cut', 'the token the session has');
  await session.call('chorus.catalog.v1.track.get', { id });
  assert.equal(sent.filter((s) => s.subject === auth.refresh).length, 1, 'no second refresh within the wait');
  assert.equal(ended, null);
  assert.ok(session.signedIn);

  // Any other failure of a refresh is the caller's, and tried again at once next time.
  session.refreshRetryAt = 0;
  refreshing = new ChorusError({ status: 400, code: 'invalid_request', message: 'Bad.' });
  await assert.rejects(session.call('chorus.catalog.v1.track.get', { id }), (e) => e.code === 'invalid_request');
  assert.equal(session.refreshRetryAt, 0);

  // A refresh refused (not out of reach) still ends the session.
  session.refreshRetryAt = 0;
  refreshing = new ChorusError({ status: 401, code: 'session_ended', message: 'Ended.' });
  await assert.rejects(session.call('chorus.catalog.v1.track.get', { id }), (e) => e.code === 'session_ended');
  assert.equal(ended?.code, 'session_ended');
  assert.ok(!session.signedIn);
});
