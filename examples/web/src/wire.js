// The wire: one NATS websocket connection as the restricted `web` user, and
// requests in MessagePack with named fields, as subjects.md describes and as
// the typed Rust client sends them (deadline, trace context, read-your-writes).
import { wsconnect, headers as natsHeaders } from '@nats-io/nats-core';
import { encode, decode } from '@msgpack/msgpack';
import { serviceName } from './subjects.js';

// rmp-serde is not "human readable", so a uuid travels as 16 bytes of `bin`,
// both ways. These are the fields whose strings are uuids in a request.
const ID_FIELDS = new Set(['id', 'ids', 'track_id', 'session_id', 'tracks', 'album', 'artist', 'user_id']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function uuidToBytes(s) {
  const hex = s.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bytesToUuid(b) {
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

/** A request body as the services decode it: uuid strings in id fields become bytes. */
export function toWire(value, key = '') {
  if (typeof value === 'string') return ID_FIELDS.has(key) && UUID.test(value) ? uuidToBytes(value) : value;
  if (Array.isArray(value)) return value.map((v) => toWire(v, key));
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v, k);
    return out;
  }
  return value;
}

/** A reply as the page uses it: 16-byte bins are uuids, except audio `data`. */
export function fromWire(value, key = '') {
  if (value instanceof Uint8Array) return value.length === 16 && key !== 'data' ? bytesToUuid(value) : value;
  if (Array.isArray(value)) return value.map((v) => fromWire(v, key));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromWire(v, k);
    return out;
  }
  return value;
}

/** A failed request, with what the listener should be told. */
export class ChorusError extends Error {
  constructor({ status, code, message, retryAfterMs, subject }) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
    this.subject = subject;
  }
}

const randomHex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => HEX[b]).join('');

export class Wire {
  constructor(config, onStatus = () => {}) {
    this.config = config;
    this.onStatus = onStatus;
    this.nc = null;
    this.seen = new Map(); // service -> highest Chorus-Seq seen from it
    this.wrote = new Set(); // services this page wrote to
    this.denied = new Map(); // subject -> rejecters of requests waiting on it
  }

  async connect() {
    // Replies come to an inbox only this page may read: the auth service's
    // callout grants this connection `_INBOX_<nonce>.>` for the nonce sent
    // as its token (the same nonce again after a reconnect; a new one when
    // the connection is opened afresh, see `reopen`).
    this.inboxNonce ??= randomHex(16);
    this.nc = await wsconnect({
      servers: this.config.ws_url,
      user: this.config.user ?? 'web',
      pass: this.config.password,
      token: this.inboxNonce,
      inboxPrefix: `_INBOX_${this.inboxNonce}`,
      name: 'chorus-web',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
    this.onStatus('connected');
    (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnecting') this.onStatus('reconnecting');
        else if (s.type === 'reconnect') this.onStatus('connected');
        else if (s.type === 'error' && s.error?.name === 'PermissionViolationError') {
          // A publish the web user may not make gets no reply, only this
          // asynchronous error: fail the requests waiting on it at once.
          for (const reject of this.denied.get(s.error.subject) ?? []) reject(s.error);
        }
      }
    })();
    const nc = this.nc;
    nc.closed().then(() => {
      if (this.nc === nc) this.reopen();
    });
  }

  /**
   * The server closed this connection for good: nats.js gives up when a
   * reconnect is refused (the callout lets one connection at a time use a
   * nonce, and a stale grant can hold it a while). Start afresh with a new
   * nonce, retrying every few seconds; requests meanwhile fail as transport
   * errors and the page retries them as it does after a disconnect.
   */
  async reopen() {
    this.onStatus('reconnecting');
    for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      this.inboxNonce = randomHex(16);
      try {
        await this.connect();
        return;
      } catch {
        // Still refused or unreachable: wait longer.
      }
    }
  }

  /**
   * One request: `body` is encoded as MessagePack; the reply is decoded.
   * Throws ChorusError for a service error, a timeout, no responders or a
   * subject this user may not call.
   */
  async request(subject, body = {}, { token, timeout = 5000 } = {}) {
    const service = subject.split('.')[1];
    const h = natsHeaders();
    h.set('Chorus-Deadline', String(Date.now() + timeout));
    // Not sampled (-00): the page records no trace data, and a sampled
    // traceparent makes nats-server lift every message's headers into a map.
    h.set('traceparent', `00-${randomHex(16)}-${randomHex(8)}-00`);
    if (token) h.set('Authorization', `Bearer ${token}`);
    const seq = this.wrote.has(service) ? this.seen.get(service) : 0;
    if (seq) h.set('Chorus-Min-Seq', String(seq));
    let msg;
    let rejectDenied;
    const denied = new Promise((_, reject) => (rejectDenied = reject));
    if (!this.denied.has(subject)) this.denied.set(subject, new Set());
    this.denied.get(subject).add(rejectDenied);
    try {
      msg = await Promise.race([this.nc.request(subject, encode(toWire(body)), { timeout, headers: h }), denied]);
    } catch (err) {
      throw this.transportError(subject, err);
    } finally {
      this.denied.get(subject).delete(rejectDenied);
    }
    // Read-your-writes: this service's write (Chorus-Seq), and writes it made
    // in other services for us (Chorus-Seq-Of-<service>, e.g. a play that
    // stream recorded in profile).
    for (const name of msg.headers?.keys() ?? []) {
      const lower = name.toLowerCase();
      const of = lower === 'chorus-seq' ? service : lower.startsWith('chorus-seq-of-') ? lower.slice(14) : null;
      const seq = of && Number(msg.headers.get(name));
      if (seq > 0) {
        this.wrote.add(of);
        this.seen.set(of, Math.max(this.seen.get(of) ?? 0, seq));
      }
    }
    const status = msg.headers?.get('Nats-Service-Error-Code');
    let reply = {};
    if (msg.data.length) {
      try {
        reply = msg.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(msg.data)) : fromWire(decode(msg.data));
      } catch {
        reply = {};
      }
    }
    if (status) {
      throw new ChorusError({
        status: Number(status),
        code: reply.code ?? 'unknown',
        message: reply.message ?? msg.headers.get('Nats-Service-Error') ?? '',
        retryAfterMs: reply.retry_after_ms,
        subject,
      });
    }
    return reply;
  }

  transportError(subject, err) {
    const name = serviceName(subject);
    // nats-core sets `name` on its errors (and may wrap one in another as `cause`).
    const is = (kind) => err?.name === kind || err?.cause?.name === kind;
    if (is('NoRespondersError')) {
      return new ChorusError({ status: 503, code: 'no_responders', message: `The ${name} service is not running right now.`, subject });
    }
    if (is('PermissionViolationError')) {
      return new ChorusError({ status: 403, code: 'not_permitted', message: `This player is not allowed to call the ${name} service (${subject}).`, subject });
    }
    if (is('TimeoutError')) {
      return new ChorusError({ status: 504, code: 'timeout', message: `The ${name} service did not answer in time.`, subject });
    }
    return new ChorusError({ status: 503, code: 'disconnected', message: `Lost the connection to Chorus (${err?.message ?? err}).`, subject });
  }
}
