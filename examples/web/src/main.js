// The Chorus web player: connects as the `web` user, signs the listener in,
// and routes between pages (#/album/<id>, ...) around a now-playing bar.
import { Wire } from './wire.js';
import { Session } from './session.js';
import { Player } from './player.js';
import { Radio } from './radio.js';
import { h, icon, errorText, showError, toast, setArtSource } from './ui.js';
import { catalog, profile, payment as paymentSubjects } from './subjects.js';
import { closeMenu } from './components.js';
import { renderLogin } from './login.js';
import { nowPlayingBar } from './nowplaying.js';
import * as browse from './browse.js';
import * as library from './library.js';
import * as payment from './payment.js';
import * as discover from './discover.js';
import * as collection from './collection.js';
import { installShell } from './install.js';
import { previewsNow, utcDay } from './availability.js';

const root = document.getElementById('root');

const app = {
  wire: null,
  session: null,
  player: null,
  radio: null,
  playlists: [],
  favorites: { track: new Set(), album: new Set(), artist: new Set() },
  trackCache: new Map(),
  albumCache: new Map(),
  searchBox: null,
  onSearch: null,
  view: null,
  renderId: 0,
  billing: null, // subscription.get: {subscription, entitlement}
  reconciledAt: 0,
  previewDay: null, // the UTC day the stream service last answered a free listener with previews
  focusAfterRender: null, // a selector the next render focuses (the queue's moved row)
  timings: {}, // ms since navigation: connected, firstRender (the e2e test prints them)

  /**
   * Whether new plays are previews today: a free listener whose full plays
   * for today are used up (the stream service said "preview" to a session
   * opened today, UTC, the day its count runs by). Premium never previews.
   */
  previewsToday() {
    return previewsNow(this.session?.plan, this.previewDay);
  },

  setEntitlement(entitlement) {
    const day = entitlement === 'preview' ? utcDay() : null;
    if (day === this.previewDay) return;
    this.previewDay = day;
    const key = previewKey();
    if (key) day ? localStorage.setItem(key, day) : localStorage.removeItem(key);
    if (day) toast('Your free full plays for today are used up: tracks play as 30-second previews until midnight UTC.');
    if (app.view !== 'search') this.rerender();
  },

  /**
   * A catalog or search read. Public by default, but sent with the listener's
   * token, so a stack with `[catalog] require_sign_in = true` serves it too.
   */
  read(subject, body, options) {
    return this.session?.signedIn ? this.session.call(subject, body, options) : this.wire.request(subject, body, options);
  },

  /** Tracks in the order of `ids`, from the cache or one batch request. */
  async tracksById(ids) {
    const missing = [...new Set(ids.filter((id) => !this.trackCache.has(id)))];
    for (let i = 0; i < missing.length; i += 500) {
      const { tracks } = await this.read(catalog.trackBatch, { ids: missing.slice(i, i + 500) });
      for (const t of tracks) this.trackCache.set(t.id, t);
    }
    return ids.map((id) => this.trackCache.get(id)).filter(Boolean);
  },

  /**
   * Albums in the order of `ids`, from the cache or `album.get` each (their
   * tracks go to the track cache); an album the catalog no longer has is left out.
   */
  async albumsById(ids) {
    const missing = [...new Set(ids.filter((id) => !this.albumCache.has(id)))];
    await Promise.all(missing.map(async (id) => {
      try {
        const { album, tracks } = await this.read(catalog.albumGet, { id });
        this.albumCache.set(id, album);
        for (const t of tracks) this.trackCache.set(t.id, t);
      } catch (err) {
        if (err?.code !== 'album_not_found') throw err;
      }
    }));
    return ids.map((id) => this.albumCache.get(id)).filter(Boolean);
  },

  /** Every page of a paged profile list: each `next` goes back as `cursor` until it is null. */
  async allPages(subject, body) {
    const pages = [];
    let cursor = null;
    // The caps bound every list (1,000 playlists are 20 pages): this bound only stops a runaway.
    for (let i = 0; i < 200; i++) {
      const page = await this.session.call(subject, cursor ? { ...body, cursor } : body);
      pages.push(page);
      if (!page.next) break;
      cursor = page.next;
    }
    return pages;
  },

  async loadPlaylists() {
    const pages = await this.allPages(profile.playlistList, {});
    this.playlists = pages.flatMap((p) => p.playlists);
    renderSidebarPlaylists();
    return this.playlists;
  },

  async loadFavorites() {
    const pages = await this.allPages(profile.favoriteList, { limit: 500 });
    const fav = {
      tracks: pages.flatMap((p) => p.tracks),
      albums: pages.flatMap((p) => p.albums),
      artists: pages.flatMap((p) => p.artists),
    };
    this.favorites = {
      track: new Set(fav.tracks.map((f) => f.id)),
      album: new Set(fav.albums.map((f) => f.id)),
      artist: new Set(fav.artists.map((f) => f.id)),
    };
    this.refreshStars();
    return fav;
  },

  refreshStars() {
    for (const b of document.querySelectorAll('[data-star-kind]')) {
      b.setAttribute('aria-pressed', String(this.favorites[b.dataset.starKind].has(b.dataset.starId)));
    }
  },

  async createPlaylist(name, tracks) {
    try {
      const p = await this.session.call(profile.playlistCreate, { name, tracks });
      toast(tracks.length ? `Added to the new playlist ${name}` : `Created ${name}`);
      await this.loadPlaylists();
      return p;
    } catch (err) {
      showError(err);
      return null;
    }
  },

  /** Append to a playlist at the revision last read; on a conflict read again once. */
  async addToPlaylist(id, tracks) {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const { playlist } = await this.session.call(profile.playlistGet, { id, limit: 1 });
        await this.session.call(profile.playlistUpdate, { id, revision: playlist.revision, ops: [{ op: 'add', tracks }] });
        toast(`Added to ${playlist.name}`);
        await this.loadPlaylists();
        if (location.hash === `#/playlist/${id}`) this.rerender();
        return;
      } catch (err) {
        if (err.status === 409 && attempt === 0) continue;
        showError(err);
        return;
      }
    }
  },

  /**
   * The listener's subscription and entitlement (`subscription.get`), which
   * the banner and the plan badge follow. A token whose plan is not the
   * entitlement (a renewal failed, a cancel ended it, a new card paid) is
   * refreshed, at most once every few seconds.
   */
  async loadBilling() {
    const view = await this.session.call(paymentSubjects.subscriptionGet, {});
    this.setBilling(view);
    if (view.entitlement !== this.session.plan && Date.now() - this.reconciledAt > 5000) {
      this.reconciledAt = Date.now();
      await this.refreshSession();
    }
    return view;
  },

  /** Sign out (and say why, if `message`): back to the sign-in page. */
  async leave(message) {
    this.player?.reset();
    await this.session.logout();
    showLogin(message);
  },

  setBilling(view) {
    this.billing = view;
    renderBanner();
  },

  /** A new access token, with the plan payment entitles to now (after a reply with `refresh: true`). */
  async refreshSession() {
    try {
      await this.session.refresh();
    } catch (err) {
      // A network hiccup: the session's timer refreshes again before the token expires.
      if (err.status !== 401 && err.status !== 403) console.warn('session.refresh', err);
    }
  },

  /** A radio from `seed`, named `name` ("Radio: <name>"); the track menu's "Start radio". */
  startRadio(seed, name) {
    return discover.startRadio(this, seed, name);
  },

  errorPanel(err, retry) {
    return h('div.error-panel', { role: 'alert' }, h('p', errorText(err)),
      retry ? h('button.btn', { onclick: retry }, 'Try again') : null);
  },

  rerender() {
    route();
  },
};

function previewKey() {
  const id = app.session?.user?.id;
  return id ? `chorus.previewDay.${id}` : null;
}

// ---- shell -------------------------------------------------------------

let main;
let sidebarPlaylists;
let connectionDot;
let bannerSlot;
let planBadge;

function renderShell() {
  app.searchBox = h('input.search-box', {
    type: 'search', placeholder: 'Search tracks, albums, artists', 'aria-label': 'Search', autocomplete: 'off',
    oninput: (e) => {
      // pushState fires no hashchange: the page is rendered here, and Back returns to where typing began.
      if (!location.hash.startsWith('#/search')) history.pushState(null, '', '#/search');
      if (!app.onSearch || app.view !== 'search') route();
      else app.onSearch(e.target.value);
    },
    onfocus: () => {
      if (!location.hash.startsWith('#/search') && app.searchBox.value) location.hash = '#/search';
    },
  });
  const nav = (href, ic, label) => h('a.nav-link', { href, dataset: { nav: href } }, icon(ic), h('span', label));
  sidebarPlaylists = h('div.side-playlists');
  connectionDot = h('span.conn', { title: 'Connection' });
  main = h('main.view', { id: 'view', tabIndex: -1 });
  bannerSlot = h('div.banner-slot');
  planBadge = h('a.plan-badge.hidden', { href: '#/account', title: 'Your plan' }, 'Premium');
  root.replaceChildren(
    h('div.app',
      h('aside.sidebar',
        h('div.brand', h('span.logo', '♪'), 'Chorus', connectionDot),
        h('nav.nav', { 'aria-label': 'Main' },
          nav('#/', 'home', 'Home'), nav('#/search', 'search', 'Search'),
          nav('#/albums', 'album', 'Albums'), nav('#/artists', 'user', 'Artists'), nav('#/genres', 'list', 'Genres'),
          nav('#/favorites', 'star', 'Starred'),
          nav('#/recent', 'history', 'Recent'), nav('#/playlists', 'list', 'Playlists'), nav('#/queue', 'queue', 'Queue'),
          nav('#/plans', 'premium', 'Plans'), nav('#/account', 'user', 'Account')),
        h('div.side-heading', 'Playlists'),
        sidebarPlaylists,
        h('div.account',
          h('div.user', h('span.user-name', app.session.user?.username ?? ''), planBadge),
          h('button.btn.small', { onclick: signOut }, 'Sign out'),
          h('button.btn.small.ghost', { onclick: showShortcuts, 'aria-label': 'Keyboard shortcuts' }, '?'))),
      h('div.content', h('div.topbar', app.searchBox), bannerSlot, main),
      nowPlayingBar(app)));
  renderSidebarPlaylists();
  setConnection(connectionState);
  renderBanner();
  renderPlanBadge();
}

function renderBanner() {
  const banner = payment.banner(app.billing);
  bannerSlot?.replaceChildren(...(banner ? [banner] : []));
}

function renderPlanBadge() {
  planBadge?.classList.toggle('hidden', app.session?.plan !== 'premium');
}

function renderSidebarPlaylists() {
  if (!sidebarPlaylists) return;
  sidebarPlaylists.replaceChildren(...app.playlists.map((p) => h('a.side-link', { href: `#/playlist/${p.id}` }, p.name)));
}

let connectionState = 'connected';
function setConnection(state) {
  connectionState = state;
  if (!connectionDot) return;
  connectionDot.className = `conn ${state}`;
  connectionDot.title = { connected: 'Connected', reconnecting: 'Reconnecting…', closed: 'Disconnected' }[state] ?? state;
  if (state === 'reconnecting') toast('Connection lost; reconnecting…', { error: true });
}

// ---- routing -----------------------------------------------------------

const routes = [
  [/^#\/?$/, 'home', () => browse.home(app)],
  [/^#\/search/, 'search', () => browse.searchPage(app)],
  [/^#\/albums(\?.*)?$/, 'albums', () => collection.albums(app, location.hash)],
  [/^#\/artists(\?.*)?$/, 'artists', () => collection.artists(app, location.hash)],
  [/^#\/genres$/, 'genres', () => collection.genres(app)],
  [/^#\/album\/(.+)$/, 'album', (id) => browse.album(app, id)],
  [/^#\/artist\/(.+)$/, 'artist', (id) => browse.artist(app, id)],
  [/^#\/genre\/(.+)$/, 'genre', (name) => browse.genre(app, decodeURIComponent(name))],
  [/^#\/playlists$/, 'playlists', () => library.playlists(app)],
  [/^#\/playlist\/(.+)$/, 'playlist', (id) => library.playlist(app, id)],
  [/^#\/favorites$/, 'favorites', () => library.favorites(app)],
  [/^#\/recent$/, 'recent', () => library.recent(app)],
  [/^#\/queue$/, 'queue', () => library.queue(app)],
  [/^#\/similar\/(.+)$/, 'similar', (id) => discover.similarPage(app, id)],
  [/^#\/plans$/, 'plans', () => payment.plans(app)],
  [/^#\/checkout\/(.+)$/, 'checkout', (id) => payment.checkout(app, decodeURIComponent(id))],
  [/^#\/account$/, 'account', () => payment.account(app)],
];

async function route() {
  if (!app.session?.signedIn || !main) return;
  closeMenu();
  const hash = location.hash || '#/';
  const match = routes.find(([re]) => re.test(hash));
  const id = ++app.renderId;
  const section = hash.startsWith('#/checkout/') ? '#/plans' : hash;
  for (const a of document.querySelectorAll('[data-nav]')) {
    const active = a.dataset.nav === section || (section.startsWith(a.dataset.nav) && a.dataset.nav !== '#/' && !section.startsWith('#/artist/'));
    a.classList.toggle('active', active);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!match) {
    main.replaceChildren(h('div.page', h('h1', 'Not found'), h('p', h('a', { href: '#/' }, 'Back home'))));
    return;
  }
  // Drawn again in place (the queue after a move, a change of the player): the
  // control that had the focus gets it back, so a keyboard does not lose its place.
  const sameView = app.lastView === hash;
  const focusedLabel = sameView && main.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') : null;
  const [re, viewName, view] = match;
  app.view = viewName;
  if (viewName !== 'search') app.onSearch = null;
  if (!main.childNodes.length || app.lastView !== hash) main.replaceChildren(h('div.loading', 'Loading…'));
  app.lastView = hash;
  try {
    const node = await view(...hash.match(re).slice(1));
    if (id !== app.renderId) return;
    main.replaceChildren(node);
    app.refreshStars();
    if (!app.timings.firstRender) app.timings.firstRender = Math.round(performance.now());
    if (app.focusAfterRender) {
      main.querySelector(app.focusAfterRender)?.focus();
      app.focusAfterRender = null;
    } else if (focusedLabel) {
      [...main.querySelectorAll('[aria-label]')].find((el) => el.getAttribute('aria-label') === focusedLabel)?.focus();
    }
  } catch (err) {
    if (id !== app.renderId) return;
    if (err.status === 401) return; // the session ended: the login page is on its way
    main.replaceChildren(h('div.page', app.errorPanel(err, route)));
  }
}

window.addEventListener('hashchange', () => {
  route();
  main?.focus({ preventScroll: true });
  main?.scrollTo?.(0, 0);
});

// ---- keyboard ----------------------------------------------------------

function showShortcuts() {
  const rows = [['Space or K', 'Play / pause'], ['← / →', 'Back / forward 5 s'], ['J / L', 'Back / forward 10 s'],
    ['Shift + ← / →', 'Previous / next track'], ['/', 'Search'], ['Q', 'Queue'], ['?', 'This help']];
  const dialog = h('dialog.shortcuts', h('h2', 'Keyboard shortcuts'),
    h('table', rows.map(([k, v]) => h('tr', h('td', h('kbd', k)), h('td', v)))),
    h('form', { method: 'dialog' }, h('button.btn', 'Close')));
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
}

const typing = (t) => t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.isContentEditable;

// Space on a focused button would also click it (on keyup): the shortcut wins.
document.addEventListener('keyup', (e) => {
  if (e.key === ' ' && app.session?.signedIn && !typing(e.target) && !document.querySelector('dialog[open]')) e.preventDefault();
});

document.addEventListener('keydown', (e) => {
  if (!app.session?.signedIn || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (typing(t)) {
    if (e.key === 'Escape') t.blur();
    return;
  }
  if (document.querySelector('dialog[open]')) return;
  const p = app.player;
  const keys = {
    ' ': () => p.toggle(), k: () => p.toggle(),
    ArrowLeft: () => (e.shiftKey ? p.previous() : p.seekBy(-5)),
    ArrowRight: () => (e.shiftKey ? p.next() : p.seekBy(5)),
    j: () => p.seekBy(-10), l: () => p.seekBy(10),
    '/': () => app.searchBox.focus(),
    q: () => (location.hash = '#/queue'),
    '?': showShortcuts,
  };
  const action = keys[e.key] ?? keys[e.key.toLowerCase()];
  if (!action) return;
  e.preventDefault();
  action();
});

// ---- sign in and out ---------------------------------------------------

async function signedIn() {
  const key = previewKey();
  app.previewDay = key ? localStorage.getItem(key) : null;
  renderShell();
  route();
  // The library and the saved queue come in the background.
  app.loadPlaylists().catch(showError);
  app.loadFavorites().catch(() => {});
  // The subscription (the banner, the plan badge), now and every few minutes: renewals happen meanwhile.
  app.loadBilling().catch(() => {});
  clearInterval(billingTimer);
  billingTimer = setInterval(() => app.session?.signedIn && app.loadBilling().catch(() => {}), BILLING_EVERY_MS);
  try {
    const q = await app.session.call(profile.queueGet, {});
    if (q.tracks?.length && !app.player.current) {
      app.player.restore(await app.tracksById(q.tracks), q.index ?? 0, q.position_ms ?? 0);
    }
  } catch (err) {
    console.warn('queue.get', err);
  }
}

const BILLING_EVERY_MS = 5 * 60 * 1000;
let billingTimer;

async function signOut() {
  await app.leave();
}

function showLogin(message) {
  app.playlists = [];
  app.billing = null;
  clearInterval(billingTimer);
  bannerSlot = null;
  planBadge = null;
  main = null;
  sidebarPlaylists = null;
  connectionDot = null;
  app.player?.reset();
  renderLogin(root, app, { message, onSignedIn: signedIn });
  if (!app.timings.firstRender) app.timings.firstRender = Math.round(performance.now());
}

const RETRY_MS = 5000;
let retryTimer;

async function start() {
  root.replaceChildren(h('div.splash', h('span.logo', '♪'), 'Connecting to Chorus…'));
  let config;
  try {
    // The service worker answers from its copy when the server is away.
    config = await (await fetch('config.json', { cache: 'no-store' })).json();
  } catch {
    root.replaceChildren(h('div.splash.error', 'This page has no config.json: start it with scripts/dev.sh.'));
    return;
  }
  app.wire = new Wire(config, setConnection);
  try {
    await app.wire.connect();
  } catch (err) {
    // The shell came from the cache (or the server is down): say so, and try again by itself.
    clearTimeout(retryTimer);
    retryTimer = setTimeout(start, RETRY_MS);
    root.replaceChildren(h('div.splash.error', { role: 'alert' },
      h('p', navigator.onLine === false ? 'You are offline: Chorus cannot be reached.' : `Cannot reach the Chorus server at ${config.ws_url}.`),
      h('p.small', `Trying again every ${RETRY_MS / 1000} seconds. (${String(err?.message ?? err)})`),
      h('button.btn', { onclick: () => { clearTimeout(retryTimer); start(); } }, 'Try again now')));
    return;
  }
  clearTimeout(retryTimer);
  app.timings.connected = Math.round(performance.now());
  app.session = new Session(app.wire, (err) => showLogin(errorText(err)));
  app.session.onChange = renderPlanBadge;
  setArtSource((name) => app.read(catalog.artGet, { name }));
  app.player = new Player(app.session, document.getElementById('audio'));
  app.player.addEventListener('error', (e) => showError(e.error));
  app.player.addEventListener('entitlement', (e) => app.setEntitlement(e.entitlement));
  app.radio = new Radio(app.session, app.player, (ids) => app.tracksById(ids));
  app.radio.addEventListener('error', (e) => showError(e.error));
  app.radio.addEventListener('change', () => app.view === 'queue' && app.rerender());
  app.player.addEventListener('played', () => {
    if (app.view === 'recent' || app.view === 'home') route();
  });
  window.chorus = app; // for the console and the end-to-end test
  try {
    if (await app.session.resume()) return signedIn();
  } catch {
    // fall through to the login page
  }
  showLogin();
}

installShell();
start();
