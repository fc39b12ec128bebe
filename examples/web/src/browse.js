// Pages for finding music: home, search, album, artist, genre.
import { h, icon, cover, highlighted, showError } from './ui.js';
import { catalog, search, profile, recommend } from './subjects.js';
import { trackList, albumGrid, pageHeader, star, link, hasAudio } from './components.js';
import { mixShelf, radioButton, similarArtists } from './discover.js';
import { releaseGroups } from './browsing.js';

export async function home(app) {
  const [albums, genres, artists, recent, shelf] = await Promise.all([
    app.read(catalog.albumList, { type: 'newest', limit: 12 }),
    app.read(catalog.genreList, {}),
    app.read(catalog.artistList, { limit: 24 }),
    app.session.call(profile.playRecent, { limit: 6 }).catch(() => ({ tracks: [] })),
    mixShelf(app),
  ]);
  const recentTracks = await app.tracksById(recent.tracks.map((t) => t.track_id));
  return h('div.page',
    h('h1.greeting', greeting(), app.session.user ? `, ${app.session.user.username}` : ''),
    shelf,
    recentTracks.length ? [h('h2', link('#/recent', 'Recently played')), trackList(app, recentTracks)] : null,
    h('h2', link('#/albums', 'Newest albums')),
    albumGrid(albums.albums),
    genres.genres.length ? [h('h2', link('#/genres', 'Genres')), h('div.chips', genres.genres.map((g) =>
      h('a.chip', { href: `#/genre/${encodeURIComponent(g.name)}` }, g.name, h('small', ` ${g.tracks}`))))] : null,
    h('h2', link('#/artists', 'Artists')),
    h('div.chips', artists.artists.map((a) => h('a.chip', { href: `#/artist/${a.id}` }, a.name))),
  );
}

function greeting() {
  const hour = new Date().getHours();
  return hour < 5 ? 'Good night' : hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
}

/**
 * Search as you type: every keystroke sends a query; replies that arrive
 * after a newer one are dropped, so the list always matches the box.
 */
export function searchPage(app) {
  const results = h('div.search-results', { 'aria-live': 'polite' });
  const timing = h('span.timing');
  let latest = 0;
  const run = async (q) => {
    const n = ++latest;
    if (!q.trim()) {
      results.replaceChildren(h('p.empty', 'Type a title, an album or an artist. Typos are forgiven.'));
      timing.textContent = '';
      return;
    }
    const started = performance.now();
    try {
      const reply = await app.read(search.query, { q, limit: 20 }, { timeout: 3000 });
      if (n !== latest) return;
      timing.textContent = `${Math.round(performance.now() - started)} ms`;
      results.replaceChildren(...await renderResults(app, reply));
    } catch (err) {
      if (n !== latest) return;
      results.replaceChildren(app.errorPanel(err, () => run(q)));
    }
  };
  app.onSearch = run;
  run(app.searchBox.value);
  return h('div.page', h('div.page-title-row', h('h1', 'Search'), timing), results);
}

async function renderResults(app, reply) {
  const out = [];
  if (reply.tracks.length) {
    // Hits carry names; a batch read brings the whole tracks (album, duration) to play them.
    const tracks = await app.tracksById(reply.tracks.map((t) => t.id));
    const hits = new Map(reply.tracks.map((t) => [t.id, t]));
    out.push(h('h2', 'Tracks'), trackList(app, tracks));
    // Show what matched: the highlighted title replaces the plain one.
    for (const li of out[1].querySelectorAll('li.track')) {
      const hit = hits.get(li.dataset.trackId);
      if (hit?.highlight?.title) li.querySelector('.track-title').replaceChildren(...highlighted(hit.highlight.title, hit.title));
    }
  }
  if (reply.albums.length) {
    out.push(h('h2', 'Albums'), h('div.grid', reply.albums.map((a) =>
      h('a.card', { href: `#/album/${a.id}` }, cover(a.id, a.title, '', a.cover_art),
        h('div.card-title', ...highlighted(a.highlight?.title, a.title)),
        h('div.card-sub', [a.artist, a.year].filter(Boolean).join(' · '))))));
  }
  if (reply.artists.length) {
    out.push(h('h2', 'Artists'), h('div.chips', reply.artists.map((a) =>
      h('a.chip', { href: `#/artist/${a.id}` }, ...highlighted(a.highlight?.title, a.title)))));
  }
  if (!out.length) out.push(h('p.empty', 'Nothing found. Check the spelling, or try fewer words.'));
  return out;
}

export async function album(app, id) {
  const { album: a, tracks } = await app.read(catalog.albumGet, { id });
  const sub = [a.artist ? link(`#/artist/${a.artist.id}`, a.artist.name) : null, a.year ? ` · ${a.year}` : null,
    ` · ${tracks.length} track${tracks.length === 1 ? '' : 's'}`];
  return h('div.page',
    pageHeader({ seed: a.id, title: a.title, kind: 'Album', sub, art: a.cover_art, actions: [
      h('button.btn.primary', { onclick: () => app.player.playList(tracks, 0), disabled: !tracks.some(hasAudio) }, icon('play'), 'Play'),
      h('button.btn', { onclick: () => app.player.enqueue(tracks), disabled: !tracks.some(hasAudio) }, icon('queue'), 'Add to queue'),
      radioButton(app, { kind: 'album', id: a.id }, a.title),
      star(app, 'album', a.id, a.title),
    ] }),
    a.genres?.length ? h('div.chips', a.genres.map((g) => h('a.chip', { href: `#/genre/${encodeURIComponent(g)}` }, g))) : null,
    trackList(app, tracks, { numbered: true, showAlbum: false }));
}

/**
 * An artist: the listener's own most played tracks of theirs (profile
 * `play.counts`), the releases filed by type (Albums, EPs, Singles, ...: the
 * catalog's `release_type`, inferred from the tracks when untagged), and
 * every track, paged by cursor.
 */
export async function artist(app, id) {
  const [{ artist: a, albums }, first, similar, counts, top] = await Promise.all([
    app.read(catalog.artistGet, { id }),
    app.read(catalog.trackList, { artist: id, limit: 100 }),
    similarArtists(app, id),
    app.session.call(profile.playCounts, { limit: 200 }).catch(() => ({ tracks: [] })),
    // Everyone's most played of this artist (recommend knows every listener's plays).
    app.session.call(recommend.artistTop, { artist_id: id, limit: 5 }).catch(() => ({ tracks: [] })),
  ]);
  const topPlays = new Map(top.tracks.filter((t) => t.plays > 0).map((t) => [t.track_id, t.plays]));
  const popular = await app.tracksById([...topPlays.keys()]);
  // The listener's most played, kept to this artist's tracks (the counts name tracks only).
  const counted = await app.tracksById(counts.tracks.map((t) => t.id));
  const plays = new Map(counts.tracks.map((t) => [t.id, t.plays]));
  const mostPlayed = counted.filter((t) => t.artists?.some((x) => x.id === id)).slice(0, 10);
  const tracks = [...first.tracks];
  const list = h('div.artist-tracks', trackList(app, tracks));
  let next = first.next;
  const more = h('button.btn.load-more', {
    hidden: !next,
    onclick: async () => {
      more.disabled = true;
      try {
        const page = await app.read(catalog.trackList, { artist: id, limit: 100, cursor: next });
        tracks.push(...page.tracks);
        next = page.next;
        list.replaceChildren(trackList(app, tracks));
        more.hidden = !next;
      } catch (err) {
        showError(err);
      } finally {
        more.disabled = false;
      }
    },
  }, 'More tracks');
  return h('div.page',
    pageHeader({ seed: a.id, title: a.name, kind: 'Artist', sub: `${albums.length} album${albums.length === 1 ? '' : 's'}`, actions: [
      h('button.btn.primary', { onclick: () => app.player.playList(tracks, 0), disabled: !tracks.some(hasAudio) }, icon('play'), 'Play all'),
      radioButton(app, { kind: 'artist', id: a.id }, a.name),
      star(app, 'artist', a.id, a.name),
    ] }),
    popular.length ? [h('h2', 'Popular'), trackList(app, popular, { meta: (t) => h('span.plays', `${topPlays.get(t.id)} play${topPlays.get(t.id) === 1 ? '' : 's'}`) })] : null,
    mostPlayed.length ? [h('h2', 'Your most played'), trackList(app, mostPlayed, { meta: (t) => h('span.plays', `${plays.get(t.id)} play${plays.get(t.id) === 1 ? '' : 's'}`) })] : null,
    albums.length
      ? releaseGroups(albums).map(([type, label, group]) => h('section.release-group', { 'aria-labelledby': `releases-${type}`, dataset: { releaseType: type } },
        h('h2', { id: `releases-${type}` }, label), albumGrid(group)))
      : [h('h2', 'Albums'), albumGrid(albums)],
    h('h2', 'Tracks'), list, more,
    similar);
}

export async function genre(app, name) {
  const [{ albums }, { tracks }] = await Promise.all([
    app.read(catalog.albumList, { type: 'by_genre', genre: name, limit: 50 }),
    app.read(catalog.trackList, { genre: name, limit: 100 }),
  ]);
  return h('div.page',
    pageHeader({ seed: `genre:${name}`, title: name, kind: 'Genre', actions: [
      h('button.btn.primary', { onclick: () => app.player.playList(tracks, 0), disabled: !tracks.length }, icon('play'), 'Play'),
      radioButton(app, { kind: 'genre', name }, name),
    ] }),
    h('h2', 'Albums'), albumGrid(albums),
    h('h2', 'Tracks'), trackList(app, tracks));
}
