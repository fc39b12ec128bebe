// Playback: a stream session per track, its chunks fetched over NATS (a few
// at a time, first ones first) into a Blob the <audio> element plays. The
// demo audio is Ogg Opus, which Chromium's MediaSource does not take, and a
// Blob seeks anywhere once it is whole. So that a long track starts at once,
// playback begins on a Blob of the first chunks and moves to the whole file,
// at the same position, when the rest has arrived. Progress goes back to the
// stream service, which records a play past 30 s or at the end.
import { stream, profile } from './subjects.js';
import { hasAudio as playable } from './availability.js';

const PARALLEL_CHUNKS = 4;
const EARLY_START_CHUNKS = 2; // 512 KiB at the default chunk size: half a minute of music or more
const PROGRESS_EVERY_MS = 10_000;

export class Player extends EventTarget {
  constructor(session, audio) {
    super();
    this.session = session;
    this.audio = audio;
    this.queue = []; // Track objects
    this.index = -1;
    this.playback = null; // {session_id, track, entitlement, loaded, total, reported}
    this.loadId = 0;
    this.url = null;
    this.partial = false; // playing the first chunks while the rest arrive
    this.partialEnded = false; // ... and reached their end before the rest came
    this.pendingSeek = null; // a seek past the first chunks, done on the whole file
    this.swapping = false;
    this.progressTimer = null;
    this.saveTimer = null;
    this.error = null;
    this.recorded = []; // track ids whose plays the stream service recorded, this page's life

    audio.addEventListener('play', () => {
      this.startProgress();
      this.emit();
    });
    audio.addEventListener('pause', () => {
      if (this.swapping) return;
      this.stopProgress();
      if (!audio.ended) this.report(false);
      this.emit();
    });
    audio.addEventListener('ended', () => {
      if (this.partial) {
        // Only the first chunks were here: wait for the whole file (see playAt).
        this.partialEnded = true;
        this.emit();
        return;
      }
      this.stopProgress();
      this.report(true);
      if (this.index + 1 < this.queue.length) this.playAt(this.index + 1);
      else this.emit();
    });
    audio.addEventListener('timeupdate', () => this.dispatchEvent(new Event('time')));
    audio.addEventListener('seeked', () => this.saveQueueSoon());
    window.addEventListener('pagehide', () => {
      this.report(false);
      if (this.saveTimer) this.saveQueue(); // a reload right after a change keeps it
    });
    this.setupMediaSession();
  }

  emit() {
    this.dispatchEvent(new Event('change'));
  }

  get current() {
    return this.queue[this.index] ?? null;
  }

  get playing() {
    return !!this.url && (!this.audio.paused || this.partialEnded);
  }

  /**
   * Replace the queue with `tracks` and play the one at `index` (or the
   * first playable one after it). Tracks the catalog has no audio for are
   * left out: they are marked in every list, and would only fail.
   */
  playList(tracks, index = 0) {
    const start = tracks.findIndex((t, i) => i >= index && playable(t));
    const playableTracks = tracks.filter(playable);
    if (start < 0 || !playableTracks.length) return undefined;
    this.queue = playableTracks;
    this.dispatchEvent(new Event('newqueue'));
    return this.playAt(tracks.slice(0, start).filter(playable).length);
  }

  /** Add to the end of the queue (or right after the current track with `next`); tracks without audio are left out. */
  enqueue(tracks, { next = false } = {}) {
    tracks = tracks.filter(playable);
    if (!tracks.length) return;
    const at = next && this.index >= 0 ? this.index + 1 : this.queue.length;
    this.queue.splice(at, 0, ...tracks);
    if (this.index < 0) this.index = 0;
    this.saveQueueSoon();
    this.emit();
  }

  removeAt(i) {
    if (i === this.index) return;
    this.queue.splice(i, 1);
    if (i < this.index) this.index--;
    this.saveQueueSoon();
    this.emit();
  }

  move(from, to) {
    if (to < 0 || to >= this.queue.length) return;
    const [t] = this.queue.splice(from, 1);
    this.queue.splice(to, 0, t);
    if (this.index === from) this.index = to;
    else if (from < this.index && to >= this.index) this.index--;
    else if (from > this.index && to <= this.index) this.index++;
    this.saveQueueSoon();
    this.emit();
  }

  clearUpcoming() {
    this.queue.splice(this.index + 1);
    this.saveQueueSoon();
    this.emit();
  }

  /** Stop, and empty the queue (the saved one too). */
  clear() {
    this.reset();
    this.saveQueue();
  }

  toggle() {
    if (this.partialEnded) {
      this.partialEnded = false; // paused while waiting for the rest
      this.emit();
      return undefined;
    }
    if (!this.url) {
      if (!this.current || this.playback?.loading) return undefined;
      const startAt = this.resumeAtMs ?? 0;
      this.resumeAtMs = 0;
      return this.playAt(this.index, { startAt });
    }
    if (this.audio.paused) this.audio.play().catch(() => {});
    else this.audio.pause();
  }

  seekBy(seconds) {
    if (!this.url) return;
    this.seekTo(this.audio.currentTime + seconds);
  }

  seekTo(seconds) {
    if (!this.url) return;
    const end = Number.isFinite(this.audio.duration) ? this.audio.duration : this.durationS();
    if (this.partial && seconds > end - 1) {
      this.pendingSeek = Math.min(seconds, this.durationS() - 0.25); // past what has arrived
      return;
    }
    this.pendingSeek = null;
    this.audio.currentTime = Math.max(0, Math.min(seconds, Math.max(0, end - 0.25)));
  }

  durationS() {
    if (this.partial) return (this.playback?.duration_ms ?? this.current?.duration_ms ?? 0) / 1000;
    if (Number.isFinite(this.audio.duration) && this.audio.duration > 0) return this.audio.duration;
    return (this.playback?.duration_ms ?? this.current?.duration_ms ?? 0) / 1000;
  }

  /** The listener's Next (the button, Shift+→, the media keys): `next` tells where in the track it was pressed. */
  next() {
    if (this.index + 1 >= this.queue.length) return undefined;
    this.dispatchEvent(Object.assign(new Event('next'), { track: this.current, positionS: this.url ? this.audio.currentTime : 0 }));
    return this.playAt(this.index + 1);
  }

  previous() {
    // As every player does: back to the start first, then the track before.
    if (this.audio.currentTime > 3 || this.index === 0) return this.seekTo(0);
    if (this.index > 0) return this.playAt(this.index - 1);
  }

  /** Play queue entry `i`: open a stream session, fetch its chunks, play. */
  async playAt(i, { startAt = 0, autoplay = true } = {}) {
    const track = this.queue[i];
    if (!track) return;
    const id = ++this.loadId;
    if (this.playback && !this.playback.ended) this.report(true); // a skip ends the old session
    this.stopProgress();
    this.audio.pause();
    this.index = i;
    this.error = null;
    this.playback = { track, loaded: 0, total: 0, loading: true };
    this.releaseUrl();
    this.emit();
    this.saveQueueSoon();
    try {
      const open = await this.session.call(stream.open, { track_id: track.id, client: 'chorus-web' });
      if (id !== this.loadId) return;
      this.playback = { ...open, track, loaded: 0, total: open.chunks_allowed, loading: true, ended: false };
      // What the stream service entitles to now, which the lists show before the next click.
      this.dispatchEvent(Object.assign(new Event('entitlement'), { entitlement: open.entitlement }));
      this.emit();
      const mime = open.mime || 'audio/ogg';
      const early = autoplay && !startAt && open.chunks_allowed > EARLY_START_CHUNKS;
      const parts = await this.fetchChunks(open, id, (loaded) => {
        if (early && !this.url && loaded.length >= EARLY_START_CHUNKS) this.startPartial(loaded, mime);
      });
      if (id !== this.loadId) return;
      this.playback.loading = false;
      const whole = URL.createObjectURL(new Blob(parts, { type: mime }));
      if (this.partial) {
        await this.swapToWhole(whole, id);
      } else {
        this.url = whole;
        this.audio.src = whole;
        if (startAt > 0) {
          await loaded(this.audio);
          this.audio.currentTime = startAt / 1000;
        }
        if (autoplay) await this.audio.play();
      }
      this.updateMediaSession();
      this.emit();
    } catch (err) {
      if (id !== this.loadId) return;
      this.playback = { ...this.playback, loading: false, failed: true };
      this.error = err;
      this.emit();
      this.dispatchEvent(Object.assign(new Event('error'), { error: err }));
    }
  }

  /** Every allowed chunk, in order; `onPrefix(chunks)` hears of each longer run of first chunks. */
  async fetchChunks(open, id, onPrefix = () => {}) {
    const parts = new Array(open.chunks_allowed);
    let nextIndex = 0;
    let prefix = 0;
    const worker = async () => {
      while (nextIndex < open.chunks_allowed) {
        const index = nextIndex++;
        const reply = await this.session.call(stream.chunk, { session_id: open.session_id, index }, { timeout: 10_000 });
        if (id !== this.loadId) throw new Error('superseded');
        parts[index] = reply.data;
        this.playback.loaded++;
        const before = prefix;
        while (prefix < parts.length && parts[prefix]) prefix++;
        if (prefix > before && prefix < parts.length) onPrefix(parts.slice(0, prefix));
        this.emit();
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_CHUNKS, open.chunks_allowed) }, worker));
    return parts;
  }

  /** Start on the first chunks; the element plays them like a short file. */
  startPartial(chunks, mime) {
    this.partial = true;
    this.partialEnded = false;
    this.pendingSeek = null;
    this.url = URL.createObjectURL(new Blob(chunks, { type: mime }));
    this.audio.src = this.url;
    this.audio.play().catch(() => {});
    this.updateMediaSession();
    this.emit();
  }

  /** Move from the first chunks to the whole file, where playback is (or was asked to be). */
  async swapToWhole(whole, id) {
    const at = this.pendingSeek ?? this.audio.currentTime;
    const play = !this.audio.paused || this.partialEnded;
    const old = this.url;
    this.swapping = true;
    this.partial = false;
    this.partialEnded = false;
    this.pendingSeek = null;
    this.url = whole;
    try {
      this.audio.src = whole;
      await loaded(this.audio);
      if (id !== this.loadId) return;
      this.audio.currentTime = at;
    } finally {
      this.swapping = false;
      URL.revokeObjectURL(old);
    }
    if (play) await this.audio.play();
  }

  releaseUrl() {
    this.partial = false;
    this.partialEnded = false;
    this.pendingSeek = null;
    if (this.url) {
      this.audio.removeAttribute('src');
      this.audio.load();
      URL.revokeObjectURL(this.url);
      this.url = null;
    }
  }

  startProgress() {
    this.stopProgress();
    this.progressTimer = setInterval(() => this.report(false), PROGRESS_EVERY_MS);
  }

  stopProgress() {
    clearInterval(this.progressTimer);
    this.progressTimer = null;
  }

  /** Tell the stream service where playback is; `ended` closes the session. */
  report(ended) {
    const p = this.playback;
    if (!p?.session_id || p.ended) return;
    const position_ms = Math.round((this.audio.currentTime || 0) * 1000);
    if (!ended && position_ms === p.reported) return;
    p.reported = position_ms;
    if (ended) p.ended = true;
    this.session
      .call(stream.progress, { session_id: p.session_id, position_ms, ended })
      .then((r) => {
        if (r.play_recorded && !p.recorded) {
          p.recorded = true;
          this.recorded.push(p.track.id);
          this.dispatchEvent(new Event('played'));
        }
      })
      .catch((err) => console.warn('progress', err));
    this.saveQueueSoon();
  }

  /** The queue is kept in the listener's profile, so another device (or a reload) finds it. */
  saveQueueSoon() {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveQueue(), 1000);
  }

  saveQueue() {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.session.signedIn) return;
    this.session
      .call(profile.queueSave, {
        tracks: this.queue.slice(0, 1000).map((t) => t.id),
        index: Math.max(0, this.index),
        position_ms: Math.round((this.audio.currentTime || 0) * 1000),
      })
      .catch((err) => console.warn('queue.save', err));
  }

  /** Put back a saved queue without playing it. */
  restore(tracks, index, positionMs) {
    this.queue = tracks;
    this.dispatchEvent(new Event('newqueue'));
    this.index = tracks.length ? Math.min(index, tracks.length - 1) : -1;
    this.resumeAtMs = positionMs;
    this.emit();
  }

  reset() {
    clearTimeout(this.saveTimer); // the saved queue stays for the next sign-in
    this.saveTimer = null;
    this.loadId++;
    this.stopProgress();
    this.audio.pause();
    this.releaseUrl();
    this.queue = [];
    this.index = -1;
    this.playback = null;
    this.dispatchEvent(new Event('newqueue'));
    this.emit();
  }

  setupMediaSession() {
    if (!('mediaSession' in navigator)) return;
    const ms = navigator.mediaSession;
    ms.setActionHandler('play', () => this.toggle());
    ms.setActionHandler('pause', () => this.toggle());
    ms.setActionHandler('nexttrack', () => this.next());
    ms.setActionHandler('previoustrack', () => this.previous());
    ms.setActionHandler('seekto', (e) => this.seekTo(e.seekTime));
  }

  updateMediaSession() {
    if (!('mediaSession' in navigator) || !this.current) return;
    const t = this.current;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: t.title,
      artist: (t.artists ?? []).map((a) => a.name).join(', '),
      album: t.album?.title ?? '',
    });
  }
}

/** Resolves when the element knows its duration, rejects if the audio does not load. */
function loaded(audio) {
  return new Promise((resolve, reject) => {
    const done = (ok) => () => {
      audio.removeEventListener('loadedmetadata', onOk);
      audio.removeEventListener('error', onErr);
      ok ? resolve() : reject(new Error('the audio could not be decoded'));
    };
    const onOk = done(true);
    const onErr = done(false);
    audio.addEventListener('loadedmetadata', onOk);
    audio.addEventListener('error', onErr);
  });
}
