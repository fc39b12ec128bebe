// Radio mode: a queue the recommend service keeps filling from a seed,
// steered by what the listener skips. The rules (when to ask for more, what
// counts as a skip) are pure functions, and nothing here touches the DOM, so
// node can test it (tests/unit.test.mjs); discover.js shows it.
import { recommend } from './subjects.js';

/** Next pressed before this much of a track played is a skip (past it, the stream service counts a play). */
export const SKIP_BEFORE_S = 30;
/** The next batch is asked for when this few tracks are left after the current one. */
export const REFILL_WHEN_LEFT = 3;
/** Tracks per batch. */
export const BATCH = 10;
/** Skips one `radio.next` may report (subjects.md: `too_many_skips` past it). */
export const MAX_SKIPS = 50;
/** Failed `radio.next` calls in a row before the radio gives up, and the wait after each. */
const MAX_FAILURES = 3;
const RETRY_MS = 5000;

/** Whether pressing Next at `positionS` into a track skips it. */
export function isSkip(positionS) {
  return !(positionS >= SKIP_BEFORE_S); // an unknown position (still loading) is the very start
}

/**
 * The `radio.next` request to send now, or null: only for a radio that is
 * on, not asking already, not run dry, not waiting after a failure, and
 * with `REFILL_WHEN_LEFT` or fewer tracks left after the current one.
 * Skips go at most `MAX_SKIPS` at a time, the newest.
 */
export function refillRequest({ length, index, radio, now = Date.now() }) {
  if (!radio || radio.pending || radio.dry || now < radio.retryAt) return null;
  if (length - index - 1 > REFILL_WHEN_LEFT) return null;
  return { radio_id: radio.id, limit: BATCH, skipped: radio.skipped.slice(-MAX_SKIPS) };
}

/**
 * The radio that plays, if any: `start` replaces the queue with its first
 * batch, the player's changes ask for more (`refillRequest`), Next before
 * 30 s of one of its tracks is a skip the next batch hears of, and a new
 * queue (the listener played something else) or `stop` ends it. Fires
 * `change` when it starts or stops, `error` when it ended on a failure.
 */
export class Radio extends EventTarget {
  constructor(session, player, tracksById) {
    super();
    this.session = session;
    this.player = player;
    this.tracksById = tracksById;
    this.state = null; // {id, name, given: Set, reasons: Map, skipped: [], pending, dry, failures, retryAt}
    player.addEventListener('change', () => this.refill());
    player.addEventListener('next', (e) => this.noteNext(e.track, e.positionS));
    player.addEventListener('newqueue', () => this.stop());
  }

  /** What the radio started from ("Blue in Green"), or null when it is off. */
  get name() {
    return this.state?.name ?? null;
  }

  /** Why the radio gave `trackId` ("More by Miles Davis"), if it did. */
  reason(trackId) {
    return this.state?.reasons.get(trackId) ?? null;
  }

  /** A radio from `seed` (`{kind: 'track', id}`, ...): the tracks it starts with (0: none, the queue is kept). */
  async start(seed, name) {
    const reply = await this.session.call(recommend.radioStart, { seed, limit: BATCH });
    const tracks = await this.tracksById([...new Set(reply.tracks.map((p) => p.track_id))]);
    if (!tracks.length) return 0;
    this.player.playList(tracks, 0); // a new queue: stops the radio that played before
    this.state = { id: reply.radio_id, name, given: new Set(), reasons: new Map(), skipped: [], pending: false, dry: false, failures: 0, retryAt: 0 };
    remember(this.state, reply.tracks);
    this.emit();
    this.refill(); // a short first batch asks for more at once
    return tracks.length;
  }

  stop() {
    if (!this.state) return;
    this.state = null;
    this.emit();
  }

  noteNext(track, positionS) {
    const s = this.state;
    if (s && track && s.given.has(track.id) && isSkip(positionS) && !s.skipped.includes(track.id)) s.skipped.push(track.id);
  }

  /** Ask for the next batch if it is time, and append it (without tracks the queue has already). */
  async refill() {
    const s = this.state;
    const body = refillRequest({ length: this.player.queue.length, index: this.player.index, radio: s });
    if (!body) return;
    s.pending = true;
    try {
      const reply = await this.session.call(recommend.radioNext, body);
      if (s !== this.state) return;
      s.skipped = s.skipped.filter((id) => !body.skipped.includes(id));
      s.failures = 0;
      s.dry = !reply.tracks.length; // the catalog ran out for this radio: nothing more to ask
      remember(s, reply.tracks);
      const tracks = await this.tracksById([...new Set(reply.tracks.map((p) => p.track_id))]);
      if (s !== this.state) return;
      const queued = new Set(this.player.queue.map((t) => t.id));
      const fresh = tracks.filter((t) => !queued.has(t.id));
      if (fresh.length) this.player.enqueue(fresh);
    } catch (err) {
      if (s !== this.state) return;
      // A refusal (the radio ended, another listener's) stays one; a timeout or a conflict may pass.
      if ([400, 401, 403, 404].includes(err.status) || ++s.failures >= MAX_FAILURES) {
        this.stop();
        this.dispatchEvent(Object.assign(new Event('error'), { error: err }));
      } else {
        s.retryAt = Date.now() + RETRY_MS * s.failures;
      }
    } finally {
      s.pending = false;
    }
  }

  emit() {
    this.dispatchEvent(new Event('change'));
  }
}

function remember(state, picks) {
  for (const p of picks) {
    state.given.add(p.track_id);
    state.reasons.set(p.track_id, p.reason_text);
  }
}
