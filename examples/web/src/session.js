// The listener's session: tokens live in sessionStorage only (a reload keeps
// the session, closing the tab ends it), the access token is refreshed a
// minute before it expires, and refresh tokens are used once each: a refresh
// is single-flight, because presenting a used refresh token ends the session.
import { auth } from './subjects.js';
import { ChorusError } from './wire.js';
import { tokenPlan } from './billing.js';

const KEY = 'chorus.session';
const REFRESH_EARLY_S = 60;
// How long after a refresh that could not reach auth the next one waits.
const REFRESH_RETRY_MS = 15_000;

export class Session {
  constructor(wire, onEnded) {
    this.wire = wire;
    this.onEnded = onEnded; // (reason) => void: back to the login page
    this.current = null; // {access_token, expires_at, refresh_token, user}
    this.refreshing = null;
    this.refreshRetryAt = 0; // after a refresh that could not reach auth: when to try again
    this.timer = null;
    this.onChange = null; // (session) => void: after every sign-in, refresh and sign-out
    try {
      this.current = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    } catch {
      this.current = null;
    }
  }

  get user() {
    return this.current?.user ?? null;
  }

  get signedIn() {
    return !!this.current;
  }

  /**
   * The plan the access token carries (`free`, `premium`): what payment
   * entitles the listener to as of the token's issue. `user.plan` is the
   * account's own plan, which a subscription does not change.
   */
  get plan() {
    if (!this.current) return null;
    return tokenPlan(this.current.access_token) ?? this.current.user?.plan ?? null;
  }

  store(session) {
    this.current = session;
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
    clearTimeout(this.timer);
    if (session) {
      const inMs = (session.expires_at - REFRESH_EARLY_S) * 1000 - Date.now();
      this.timer = setTimeout(() => this.refresh().catch(() => {}), Math.max(inMs, 1000));
    }
    this.onChange?.(session);
  }

  /** Resume a stored session: refresh at once if its access token is (nearly) expired. */
  async resume() {
    if (!this.current) return false;
    this.store(this.current);
    if (this.current.expires_at - REFRESH_EARLY_S <= Date.now() / 1000) await this.refreshIfReachable();
    return this.signedIn;
  }

  async register(username, email, password) {
    await this.wire.request(auth.register, { username, email, password });
  }

  async login(username, password) {
    this.store(await this.wire.request(auth.login, { username, password }));
    return this.user;
  }

  async logout() {
    const refresh = this.current?.refresh_token;
    this.store(null);
    if (refresh) await this.wire.request(auth.logout, { refresh_token: refresh }).catch(() => {});
  }

  /** A new access token (and refresh token); one refresh at a time. */
  refresh() {
    if (!this.refreshing) {
      const token = this.current?.refresh_token;
      this.refreshing = (async () => {
        if (!token) throw new ChorusError({ status: 401, code: 'session_ended', message: 'Not signed in.' });
        try {
          this.store(await this.wire.request(auth.refresh, { refresh_token: token }));
        } catch (err) {
          // A refused refresh (reused, ended, unknown) ends the session; a
          // network hiccup does not: the next request tries again.
          if (err.status === 401 || err.status === 403) this.end(err);
          throw err;
        }
      })().finally(() => (this.refreshing = null));
    }
    return this.refreshing;
  }

  /**
   * Refresh, unless the last try found auth out of reach in the last
   * seconds. Out of reach (an edge site whose uplink is down answers 503
   * `hub_unreachable`), the request goes on with the token it has: the
   * site's services accept a session that was valid when the uplink went
   * down. A refused refresh (401, 403) ends the session and throws.
   */
  async refreshIfReachable() {
    if (Date.now() < this.refreshRetryAt) return;
    try {
      await this.refresh();
      this.refreshRetryAt = 0;
    } catch (err) {
      // Only out of reach (no answer, 5xx, 429) goes on; any other refusal is the caller's.
      const unreachable = err.status === undefined || err.status >= 500 || err.status === 429;
      if (!this.current || !unreachable) throw err;
      this.refreshRetryAt = Date.now() + REFRESH_RETRY_MS;
    }
  }

  end(err) {
    if (!this.current) return;
    this.store(null);
    this.onEnded(err);
  }

  /** A request as the signed-in listener; refreshes first when needed, and once on `token_expired`. */
  async call(subject, body = {}, options = {}) {
    if (this.refreshing) await this.refreshing.catch(() => {});
    if (!this.current) throw new ChorusError({ status: 401, code: 'session_ended', message: 'Please sign in.', subject });
    if (this.current.expires_at - 10 <= Date.now() / 1000) await this.refreshIfReachable();
    try {
      return await this.wire.request(subject, body, { ...options, token: this.current.access_token });
    } catch (err) {
      if (err.status === 401 && err.code === 'token_expired' && Date.now() >= this.refreshRetryAt) {
        await this.refreshIfReachable();
        return this.wire.request(subject, body, { ...options, token: this.current.access_token });
      }
      if (err.status === 401 && ['missing_token', 'invalid_token', 'unknown_key', 'user_disabled', 'session_ended'].includes(err.code)) {
        this.end(err);
      }
      throw err;
    }
  }
}
