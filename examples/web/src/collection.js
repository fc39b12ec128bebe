// The listener's whole library: Albums (sorts, genre and decade; "Most
// played" is the listener's own, from profile play.albums), Artists A–Z with a
// letter jump, Genres. Each pages by cursor as the listener scrolls (catalog
// album.browse / artist.browse), with a "Load more" button for the keyboard
// and for screen readers.
import { h } from './ui.js';
import { catalog, profile } from './subjects.js';
import { albumCards } from './components.js';
import {
  ALBUM_SORTS, LETTERS, PLAYED, albumQuery, albumHash, albumBrowseBody, playedAlbumsBody, decades, artistBrowseBody, letterOf,
} from './browsing.js';

/**
 * A list that grows by pages: `load(cursor)` gives `{items, next}`, `render`
 * turns a page's items into nodes appended to `list`. The next page comes when
 * the end of the list scrolls into view, or when "Load more" is pressed.
 */
export function paged(app, list, load, render, { label, empty = `No ${label} here.` }) {
  let next = null;
  let busy = false;
  let done = false;
  const status = h('p.pager-status', { role: 'status' });
  const more = h('button.btn.load-more', { onclick: () => loadMore() }, `Load more ${label}`);
  const sentinel = h('div.sentinel', { 'aria-hidden': 'true' });
  const footer = h('div.pager', sentinel, more, status);
  const loadMore = async () => {
    if (busy || done) return;
    busy = true;
    more.disabled = true;
    try {
      const page = await load(next);
      const nodes = render(page.items);
      list.append(...nodes);
      next = page.next;
      done = !next;
      const count = list.children.length;
      status.textContent = done ? `${count} ${label}` : `${count} ${label} shown`;
      more.hidden = done;
      if (!count) list.replaceWith(h('p.empty', empty));
    } catch (err) {
      status.replaceChildren(app.errorPanel(err, loadMore));
    } finally {
      busy = false;
      more.disabled = false;
    }
    // Still at the end (a tall screen)? Go on.
    if (!done && visible(sentinel)) loadMore();
  };
  // The list is built before its page is shown: the observer lets go only
  // once the page it was shown on has gone.
  let shown = false;
  const observer = new IntersectionObserver((entries) => {
    if (!sentinel.isConnected) {
      if (shown) observer.disconnect();
      return;
    }
    shown = true;
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: '600px' });
  observer.observe(sentinel);
  return { footer, first: loadMore() };
}

function visible(el) {
  if (!el.isConnected) return false;
  const r = el.getBoundingClientRect();
  return r.top < window.innerHeight + 600;
}

export async function albums(app, hash) {
  const query = albumQuery(hash);
  const played = query.sort === PLAYED;
  const { genres } = await app.read(catalog.genreList, {});
  const go = (change) => (location.hash = albumHash({ ...query, ...change }));
  // Most played is every album the listener played: the catalog's filters do not apply, and the page says so.
  const note = played ? h('p.filters-note', { id: 'album-filters-note' }, 'Genre and decade do not apply to Most played: it lists every album you have played.') : null;
  const select = (id, label, value, options, onchange, filter = false) => [
    h('label', { for: id }, label),
    h('select', { id, onchange: (e) => onchange(e.target.value), disabled: filter && played, 'aria-describedby': filter && played ? 'album-filters-note' : null },
      options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, text))),
  ];
  const controls = h('div.filters', { role: 'group', 'aria-label': 'Sort and filter albums' },
    select('album-sort', 'Sort', query.sort, ALBUM_SORTS, (sort) => go({ sort })),
    select('album-genre', 'Genre', query.genre, [['', 'All genres'], ...genres.map((g) => [g.name, g.name])], (genre) => go({ genre: genre || null }), true),
    select('album-decade', 'Decade', query.decade, [['', 'All years'], ...decades().map((d) => [d, `${d}s`])], (d) => go({ decade: d === '' ? null : Number(d) }), true),
    query.sort === 'random' ? h('button.btn', { onclick: () => app.rerender() }, 'Shuffle again') : null);
  const grid = h('div.grid.album-grid', { 'aria-label': 'Albums' });
  const { footer, first } = played
    ? paged(app, grid, async (cursor) => {
      const page = await app.session.call(profile.playAlbums, playedAlbumsBody(cursor));
      const plays = new Map(page.albums.map((a) => [a.id, a.plays]));
      // An album the catalog no longer has is left out.
      const albums = await app.albumsById(page.albums.map((a) => a.id));
      return { items: albums.map((a) => ({ ...a, plays: plays.get(a.id) })), next: page.next };
    }, (items) => albumCards(items, (a) => [a.artist?.name, `${a.plays} play${a.plays === 1 ? '' : 's'}`].filter(Boolean).join(' · ')),
    { label: 'albums', empty: 'Play some albums and they show up here.' })
    : paged(app, grid, async (cursor) => {
      const page = await app.read(catalog.albumBrowse, albumBrowseBody(query, cursor));
      return { items: page.albums, next: page.next };
    }, albumCards, { label: 'albums' });
  await first;
  return h('div.page', h('h1', 'Albums'), controls, note, grid, footer);
}

export async function artists(app, hash) {
  const letter = letterOf(hash);
  const jump = h('nav.letters', { 'aria-label': 'Jump to a letter' },
    LETTERS.map((l) => h('a.letter', {
      href: l === '#' ? '#/artists' : `#/artists?from=${l}`,
      'aria-label': l === '#' ? 'From the start' : `Artists from ${l}`,
      'aria-current': (l === '#' ? !letter : l === letter) ? 'true' : null,
    }, l)));
  const list = h('ul.artist-list', { 'aria-label': 'Artists' });
  const { footer, first } = paged(app, list, async (cursor) => {
    const page = await app.read(catalog.artistBrowse, artistBrowseBody(letter, cursor));
    return { items: page.artists, next: page.next };
  }, (artists) => artists.map((a) => h('li', h('a.artist-row', { href: `#/artist/${a.id}` }, a.name))), { label: 'artists' });
  await first;
  return h('div.page', h('h1', 'Artists'), jump, list, footer);
}

export async function genres(app) {
  const { genres: all } = await app.read(catalog.genreList, {});
  return h('div.page', h('h1', 'Genres'),
    all.length
      ? h('ul.genre-list', all.map((g) => h('li', h('a.genre-card', { href: `#/genre/${encodeURIComponent(g.name)}` },
        h('span.genre-name', g.name),
        h('span.genre-counts', `${g.albums} album${g.albums === 1 ? '' : 's'} · ${g.tracks} track${g.tracks === 1 ? '' : 's'}`)))))
      : h('p.empty', 'No genres yet.'));
}
