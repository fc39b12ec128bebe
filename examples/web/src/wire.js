// The wire: one NATS websocket connection as the restricted `web` user, and
// requests in JSON (MessagePack for the two binary subjects, see BINARY), as
// subjects.md describes, with what the typed Rust client sends (deadline,
// read-your-writes).
import { wsconnect, headers as natsHeaders } from '@nats-io/nats-core';
import { encode, decode } from '@msgpack/msgpack';
import { serviceName } from './subjects.js';

// How the page encodes: JSON for every request (a uuid is a string there,
// as in subjects.md's examples, so nothing has to be guessed), except the two
// subjects that carry binary (audio chunks, cover art), which JSON would
// triple in size: those go in MessagePack, where rmp-serde wants a uuid as 16
// bytes of `bin`. Their request uuid fields are listed here, and their replies
// ({index, data}, {name, mime, data}) hold no uuid. subjects.md, Conventions.
const BINARY = new Map([
  ['chorus.stream.v1.chunk.get', new Set(['session_id'])],
  ['chorus.catalog.v1.art.get', new Set()],
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const JSON_TYPE = 'application/json';

function uuidToBytes(s) {
  const hex = s.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** A request body of a binary subject in MessagePack: its listed uuid fields as 16 bytes. */
export function toMsgPack(body, uuids) {
  const out = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    out[k] = uuids.has(k) && typeof v === 'string' && UUID.test(v) ? uuidToBytes(v) : v;
  }
  return out;
}

/** How `subject`'s request is sent: its body bytes, and whether it is JSON. */
export function encodeRequest(subject, body) {
  const uuids = BINARY.get(subject);
  if (uuids) return { bytes: encode(toMsgPack(body, uuids)), json: false };
  return { bytes: new TextEncoder().encode(JSON.stringify(body)), json: true };
}

/** A reply body: JSON (it starts with `{`) or MessagePack (a binary subject's). */
export function decodeReply(data) {
  if (!data.length) return {};
  return data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(data)) : decode(data);
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
      // A server out of reach is told within seconds, not nats.js's 20 (main.js says so and retries).
      timeout: 8000,
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
   * One request: `body` is encoded (JSON, or MessagePack for a binary
   * subject); the reply is decoded. `headers` adds headers of the caller's
   * (`Chorus-Idempotency-Key`). Throws ChorusError for a service error, a
   * timeout, no responders or a subject this user may not call.
   */
  async request(subject, body = {}, { token, timeout = 5000, headers = {} } = {}) {
    const service = subject.split('.')[1];
    const h = natsHeaders();
    h.set('Chorus-Deadline', String(Date.now() + timeout));
    // No traceparent: the page records no trace data, so it has no trace to
    // continue, and the answering instance starts its own (unsampled).
    if (token) h.set('Authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) h.set(name, String(value));
    const { bytes, json } = encodeRequest(subject, body);
    if (json) h.set('Content-Type', JSON_TYPE);
    const seq = this.wrote.has(service) ? this.seen.get(service) : 0;
    if (seq) h.set('Chorus-Min-Seq', String(seq));
    let msg;
    let rejectDenied;
    const denied = new Promise((_, reject) => (rejectDenied = reject));
    if (!this.denied.has(subject)) this.denied.set(subject, new Set());
    this.denied.get(subject).add(rejectDenied);
    try {
      msg = await Promise.race([this.nc.request(subject, bytes, { timeout, headers: h }), denied]);
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
    try {
      reply = decodeReply(msg.data);
    } catch {
      reply = {};
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
