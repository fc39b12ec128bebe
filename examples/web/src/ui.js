// Small DOM helpers, plain words for errors, and generated cover art.

/** h('div.card', {onclick}, child, ...): an element with a class list, props and children. */
export function h(tag, props, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (props && (typeof props !== 'object' || props instanceof Node || Array.isArray(props))) {
    children.unshift(props);
    props = null;
  }
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className += ` ${v}`;
    else if (k in el && k !== 'list' && k !== 'role') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Text with the `<em>` highlights search sends (the rest HTML-escaped), as nodes, never as HTML. */
export function highlighted(html, fallback = '') {
  if (!html) return [fallback];
  const unescape = (s) =>
    s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e]);
  return html.split(/(<em>.*?<\/em>)/).filter(Boolean).map((part) =>
    part.startsWith('<em>') ? h('mark', unescape(part.slice(4, -5))) : unescape(part),
  );
}

export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '0:00';
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function artistNames(track) {
  return (track?.artists ?? []).map((a) => a.name).join(', ') || track?.album_artist?.name || '';
}

export function timeAgo(ms) {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

/** What went wrong, in plain words, for a ChorusError (or anything thrown). */
export function errorText(err) {
  const code = err?.code;
  const known = {
    invalid_credentials: 'That username and password do not match.',
    hub_unreachable: 'This site cannot reach the main server just now: searching and playing go on, and playlists, favorites and signing in come back with it.',
    username_taken: 'That username is taken. Try another.',
    invalid_username: 'Usernames are 3 to 32 characters: letters, digits, _ . or -.',
    invalid_email: 'That email address does not look right.',
    weak_password: 'Choose a password of at least 10 characters.',
    common_password: 'That password is too common. Choose another.',
    password_too_long: 'That password is too long.',
    account_disabled: 'This account is disabled.',
    token_expired: 'Your session expired. Please sign in again.',
    session_ended: 'Your session ended. Please sign in again.',
    refresh_token_reused: 'Your session ended (signed in elsewhere?). Please sign in again.',
    invalid_refresh_token: 'Your session ended. Please sign in again.',
    user_disabled: 'This account is disabled.',
    preview_only: 'Your free plays for today are used up: this track plays as a 30-second preview.',
    no_audio: 'This track has no audio to play.',
    not_owner: 'Only the owner of this playlist can change it.',
    revision_conflict: 'This playlist changed somewhere else. Reload and try again.',
    invalid_name: 'Playlist names are 1 to 200 characters.',
    playlist_limit: 'You have as many playlists as one listener may keep. Delete one to make room.',
    too_many_tracks: 'That playlist is full. Remove some tracks, or start another playlist.',
    too_many_ops: 'That is too many changes at once. Make fewer at a time.',
    favorite_limit: 'You have starred as much as one listener may. Unstar something to make room.',
    rating_limit: 'You have rated as many tracks as one listener may. Clear some ratings to make room.',
    query_too_long: 'That search is too long.',
    // payment
    invalid_card_number: 'That card number is not valid. Check the digits.',
    invalid_expiry: 'That expiry date is not valid: a month from 1 to 12 and a four-digit year.',
    card_expired: 'That card has expired. Use another card.',
    invalid_cvc: 'The security code (CVC) is the 3 or 4 digits on the card.',
    card_declined: 'Your card was declined. Try another card, or ask your bank why.',
    insufficient_funds: 'Your card has insufficient funds. Try another card.',
    expired_card: 'Your bank says this card has expired. Use another card.',
    charge_failed: 'The payment did not go through. Try another card.',
    processing_error: 'The payment could not be processed just now. Try again: you will not be charged twice.',
    too_many_methods: 'You have as many cards as one listener may keep. Remove one first.',
    method_in_use: 'Your subscription renews with this card. Make another card the default first.',
    method_not_found: 'That card is no longer on your account. Reload the page.',
    already_subscribed: 'You have a subscription already. Change its plan on your Account page.',
    no_subscription: 'You have no subscription.',
    same_plan: 'You are on that plan already.',
    free_plan: 'The free plan needs no payment: cancel your subscription instead.',
    no_payment_method: 'Add a card first.',
    unknown_plan: 'That plan is not on offer any more.',
    request_in_progress: 'Your payment is still being processed. Wait a moment, then try again.',
    idempotency_key_reused: 'This payment was tried before with other details. Reload the page and try again.',
    invoice_not_found: 'We could not find that invoice.',
    invalid_billing_details: 'Check your billing details: the country is two letters (e.g. DE), the name at most 200 characters.',
    admin_account: 'An admin account is closed once another admin has removed its admin role.',
    // recommend
    radio_not_found: 'This radio has ended. Start a new one.',
    not_your_radio: 'That radio is another listener\'s. Start one of your own.',
    genre_not_found: 'There is no music in that genre any more.',
    invalid_adventurousness: 'How far a radio wanders is a number from 0 to 1.',
    too_many_skips: 'That is too many skipped tracks at once. Start a new radio.',
  };
  if (code === 'invalid_state') {
    const verb = (err.subject ?? '').split('.').pop();
    return {
      resume: 'Your subscription is not set to end, or its period is over: there is nothing to resume.',
      change: 'Only an active subscription can change plan.',
      confirm: 'There is no payment waiting for confirmation (or it expired). Start again from the Plans page.',
    }[verb] ?? 'That cannot be done with your subscription as it is now. Reload and try again.';
  }
  if (known[code]) return known[code];
  if (['no_responders', 'not_permitted', 'timeout', 'disconnected'].includes(code)) return err.message;
  switch (err?.status) {
    case 401:
      return 'Please sign in again.';
    case 402:
      return 'The payment was declined. Try another card.';
    case 403:
      return 'You are not allowed to do that.';
    case 404:
      return `We could not find that ${(code ?? '').replace(/_not_found$/, '').replace(/_/g, ' ') || 'item'}. It may have been removed.`;
    case 409:
      return 'Someone changed this at the same time. Try again.';
    case 429: {
      const s = Math.ceil((err.retryAfterMs ?? 1000) / 1000);
      return `Too many attempts. Try again in ${s} second${s === 1 ? '' : 's'}.`;
    }
    case 503:
      return 'Chorus is busy or starting up. Try again in a moment.';
    case 504:
      return 'Chorus took too long to answer. Try again.';
    case 400:
      return `That request was not accepted (${err.message || code}).`;
    default:
      return `Something went wrong${err?.message ? `: ${err.message}` : '.'}`;
  }
}

let toastTimer;
/** A short message at the bottom of the page; errors stay a little longer. */
export function toast(message, { error = false } = {}) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast show${error ? ' error' : ''}`;
  el.setAttribute('role', error ? 'alert' : 'status');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = 'toast'), error ? 6000 : 2500);
}

export function showError(err) {
  console.warn(err);
  toast(errorText(err), { error: true });
}

function hash(s) {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return x >>> 0;
}

/** Where cover art comes from: `(name) => Promise<{mime, data}>` (catalog `art.get`). */
let artSource = null;
/** Object URLs of art already fetched, by name; the oldest are let go past ART_KEPT. */
const artUrls = new Map();
const ART_KEPT = 300;

export function setArtSource(source) {
  artSource = source;
}

function artUrl(name) {
  if (!artUrls.has(name)) {
    const url = artSource
      ? artSource(name).then((a) => URL.createObjectURL(new Blob([a.data], { type: a.mime }))).catch(() => null)
      : Promise.resolve(null);
    artUrls.set(name, url);
    if (artUrls.size > ART_KEPT) {
      const [oldest, gone] = artUrls.entries().next().value;
      artUrls.delete(oldest);
      gone.then((u) => u && URL.revokeObjectURL(u));
    }
  }
  return artUrls.get(name);
}

/**
 * Cover art: the catalog's image (`cover_art`, fetched with `art.get`) where
 * it has one; until it arrives, and where there is none, a cover drawn from
 * the album's name: two colours and its initials.
 */
export function cover(seed, title, size = '', art = null) {
  const x = hash(seed || title || '?');
  const a = x % 360;
  const b = (a + 40 + ((x >> 9) % 80)) % 360;
  const initials = (title || '?')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');
  // The initials are drawn by CSS, not text: a cover inside a button ("Play Paper") adds no words
  // of its own to the button's visible label (axe: label-content-name-mismatch).
  const el = h(`div.cover${size ? `.${size}` : ''}`, {
    style: `background: linear-gradient(${x % 180}deg, hsl(${a} 55% 42%), hsl(${b} 60% 22%))`,
    'aria-hidden': 'true',
  }, h('span.initials', { 'data-initials': initials || '♪' }));
  if (art) {
    artUrl(art).then((url) => {
      if (!url) return;
      el.style.background = `center / cover no-repeat url("${url}")`;
      el.replaceChildren();
    });
  }
  return el;
}

export function icon(name) {
  const paths = {
    play: 'M8 5v14l11-7z',
    pause: 'M6 5h4v14H6zM14 5h4v14h-4z',
    next: 'M6 6l8.5 6L6 18zM16 6h2v12h-2z',
    prev: 'M18 6l-8.5 6 8.5 6zM6 6h2v12H6z',
    star: 'M12 17.3l6.2 3.7-1.6-7 5.4-4.7-7.2-.6L12 2 9.2 8.7 2 9.3l5.4 4.7-1.6 7z',
    more: 'M6 10a2 2 0 110 4 2 2 0 010-4zm6 0a2 2 0 110 4 2 2 0 010-4zm6 0a2 2 0 110 4 2 2 0 010-4z',
    queue: 'M3 6h13v2H3zm0 5h13v2H3zm0 5h9v2H3zm14-1v-4l5 3z',
    search: 'M10 3a7 7 0 015.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1110 3zm0 2a5 5 0 100 10 5 5 0 000-10z',
    home: 'M12 3l9 8h-3v9h-5v-6h-2v6H6v-9H3z',
    list: 'M4 5h16v2H4zm0 6h16v2H4zm0 6h10v2H4z',
    history: 'M13 3a9 9 0 11-8.5 12h2.1A7 7 0 1013 5a7 7 0 00-5.6 2.8L10 10H3V3l2.9 2.9A9 9 0 0113 3zm-1 5h2v5l4 2.4-1 1.7-5-3z',
    add: 'M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z',
    close: 'M6.4 5L12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z',
    up: 'M12 6l6 6-1.4 1.4-3.6-3.6V20h-2V9.8l-3.6 3.6L6 12z',
    volume: 'M4 9h4l5-4v14l-5-4H4zm12.5 3a4.5 4.5 0 00-2.5-4v8a4.5 4.5 0 002.5-4z',
    premium: 'M6 3h12l4 6-10 12L2 9zm1.1 2L4.8 8.5h3.7L10 5zm5.8 0l1.5 3.5h3.7L16.9 5zM12 5.6L10.7 8.5h2.6zM5.4 10.5l5.3 6.4-2.1-6.4zm5.3 0L12 15l1.3-4.5zm4.7 0l-2.1 6.4 5.3-6.4z',
    user: 'M12 3a4.5 4.5 0 110 9 4.5 4.5 0 010-9zm0 11c4.4 0 8 2.2 8 5v2H4v-2c0-2.8 3.6-5 8-5z',
    download: 'M11 3h2v9.2l3.3-3.3 1.4 1.4L12 16l-5.7-5.7 1.4-1.4 3.3 3.3zM4 18h16v2H4z',
    radio: 'M12 10a2 2 0 110 4 2 2 0 010-4zM8.46 8.46a5 5 0 000 7.08l1.07-1.07a3.5 3.5 0 010-4.94zm7.08 0a5 5 0 010 7.08l-1.07-1.07a3.5 3.5 0 000-4.94zM5.99 5.99a8.5 8.5 0 000 12.02l1.06-1.06a7 7 0 010-9.9zm12.02 0a8.5 8.5 0 010 12.02l-1.06-1.06a7 7 0 000-9.9z',
    album: 'M12 2a10 10 0 110 20 10 10 0 010-20zm0 6a4 4 0 100 8 4 4 0 000-8zm0 3a1 1 0 110 2 1 1 0 010-2z',
    similar: 'M4 8h12v12H4zm2 2v8h8v-8zM8 4h12v12h-2V6H8z',
    card: 'M3 5h18a1 1 0 011 1v12a1 1 0 01-1 1H3a1 1 0 01-1-1V6a1 1 0 011-1zm1 2v2h16V7zm0 5v5h16v-5zm2 2h5v1.5H6z',
  };
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', paths[name]);
  svg.append(path);
  return svg;
}
