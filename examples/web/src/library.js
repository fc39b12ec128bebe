// The listener's own pages: playlists, starred, recently played, the queue.
import { h, icon, cover, timeAgo, duration, artistNames, showError, toast } from './ui.js';
import { catalog, profile } from './subjects.js';
import { trackList, albumGrid, pageHeader } from './components.js';
import { radioButton, radioLine, radioReason } from './discover.js';

export async function playlists(app) {
  await app.loadPlaylists();
  const form = h('form.inline-form', {
    onsubmit: async (e) => {
      e.preventDefault();
      const name = e.currentTarget.elements.name.value.trim();
      if (!name) return;
      const p = await app.createPlaylist(name, []);
      if (p) location.hash = `#/playlist/${p.id}`;
    },
  }, h('input', { name: 'name', placeholder: 'New playlist name', 'aria-label': 'New playlist name', maxLength: 200 }),
  h('button.btn.primary', { type: 'submit' }, icon('add'), 'Create'));
  return h('div.page', h('h1', 'Playlists'), form,
    app.playlists.length
      ? h('div.grid', app.playlists.map((p) => h('a.card', { href: `#/playlist/${p.id}` }, cover(p.id, p.name),
        h('div.card-title', p.name), h('div.card-sub', `${p.track_count} track${p.track_count === 1 ? '' : 's'}`))))
      : h('p.empty', 'No playlists yet. Create one here, or from any track\'s ••• menu.'));
}

/** A playlist and all its tracks, page by page at the first page's revision; read again if it changes meanwhile. */
async function wholePlaylist(app, id) {
  for (let attempt = 0; ; attempt++) {
    try {
      const first = await app.session.call(profile.playlistGet, { id, limit: 200 });
      const { playlist } = first;
      let { tracks, hidden, next } = first;
      while (next) {
        const page = await app.session.call(profile.playlistGet, { id, revision: playlist.revision, cursor: next, limit: 200 });
        tracks = tracks.concat(page.tracks);
        hidden += page.hidden;
        next = page.next;
      }
      return { playlist, tracks, hidden };
    } catch (err) {
      if (err.status !== 409 || attempt >= 2) throw err;
    }
  }
}

export async function playlist(app, id) {
  const { playlist: p, tracks, hidden } = await wholePlaylist(app, id);
  const total = tracks.reduce((s, t) => s + (t.duration_ms ?? 0), 0);
  const remove = (t, i) => h('button.icon-btn', {
    'aria-label': `Remove ${t.title} from ${p.name}`, title: 'Remove from playlist',
    onclick: async (e) => {
      e.stopPropagation();
      try {
        await app.session.call(profile.playlistUpdate, { id: p.id, revision: p.revision, ops: [{ op: 'remove', positions: [i] }] });
        toast(`Removed ${t.title}`);
        await app.loadPlaylists();
        app.rerender();
      } catch (err) {
        showError(err);
        if (err.status === 409) app.rerender();
      }
    },
  }, icon('close'));
  return h('div.page',
    pageHeader({ seed: p.id, title: p.name, kind: p.public ? 'Public playlist' : 'Playlist',
      sub: `${tracks.length} track${tracks.length === 1 ? '' : 's'} · ${duration(total)}${hidden ? ` · ${hidden} no longer available` : ''}`,
      actions: [
        h('button.btn.primary', { onclick: () => app.player.playList(tracks, 0), disabled: !tracks.length }, icon('play'), 'Play'),
        h('button.btn', { onclick: () => app.player.enqueue(tracks) }, icon('queue'), 'Add to queue'),
        radioButton(app, { kind: 'playlist', id: p.id }, p.name),
        h('button.btn.danger', { onclick: async () => {
          if (!confirm(`Delete the playlist "${p.name}"?`)) return;
          try {
            await app.session.call(profile.playlistDelete, { id: p.id, revision: p.revision });
            await app.loadPlaylists();
            location.hash = '#/playlists';
          } catch (err) {
            showError(err);
          }
        } }, 'Delete'),
      ] }),
    p.description ? h('p.description', p.description) : null,
    trackList(app, tracks, { extra: remove }));
}

export async function favorites(app) {
  const fav = await app.loadFavorites();
  const [tracks, albums, artists] = await Promise.all([
    app.tracksById(fav.tracks.map((f) => f.id)),
    Promise.all(fav.albums.slice(0, 60).map((f) => app.read(catalog.albumGet, { id: f.id }).then((r) => r.album).catch(() => null))),
    Promise.all(fav.artists.slice(0, 60).map((f) => app.read(catalog.artistGet, { id: f.id }).then((r) => r.artist).catch(() => null))),
  ]);
  return h('div.page', h('h1', 'Starred'),
    h('h2', 'Tracks'), trackList(app, tracks),
    h('h2', 'Albums'), albumGrid(albums.filter(Boolean)),
    h('h2', 'Artists'), artists.filter(Boolean).length
      ? h('div.chips', artists.filter(Boolean).map((a) => h('a.chip', { href: `#/artist/${a.id}` }, a.name)))
      : h('p.empty', 'No starred artists yet.'));
}

export async function recent(app) {
  const { tracks: plays } = await app.session.call(profile.playRecent, { limit: 50 });
  const tracks = await app.tracksById(plays.map((p) => p.track_id));
  const when = new Map(plays.map((p) => [p.track_id, p.played_at]));
  return h('div.page', h('h1', 'Recently played'),
    tracks.length
      ? trackList(app, tracks, { meta: (t) => h('span.when', timeAgo(when.get(t.id))) })
      : h('p.empty', 'Nothing yet. A track counts as played after 30 seconds, or when it ends.'));
}

/**
 * The queue, shaped by the listener: drag a row to move it (or Move up /
 * Move down, from the keyboard), remove, clear, save it as a playlist.
 */
export function queue(app) {
  const { player } = app;
  const q = player.queue;
  let dragged = null;
  const row = (t, i) => h(`li.track.queue-row${i === player.index ? '.current' : ''}`, {
    dataset: { trackId: t.id, index: String(i) },
    draggable: 'true',
    ondragstart: (e) => {
      dragged = i;
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', String(i));
      e.currentTarget.classList.add('dragging');
    },
    ondragend: (e) => e.currentTarget.classList.remove('dragging'),
    ondragover: (e) => {
      if (dragged === null) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      e.currentTarget.classList.add('drop-target');
    },
    ondragleave: (e) => e.currentTarget.classList.remove('drop-target'),
    ondrop: (e) => {
      e.preventDefault();
      const from = dragged ?? Number(e.dataTransfer.getData('text/plain'));
      dragged = null;
      if (Number.isInteger(from) && from !== i) moved(t, from, i);
    },
  },
    h('span.drag-handle', { 'aria-hidden': 'true', title: 'Drag to move' }, '⠿'),
    h('button.icon-btn.play-row', { 'aria-label': `Play ${t.title}`, onclick: () => player.playAt(i) }, cover(t.album?.id ?? t.id, t.album?.title ?? t.title, 'xs', t.cover_art), icon('play')),
    h('div.track-main', h('div.track-title', t.title), h('div.track-sub', artistNames(t)),
      radioReason(app, t)),
    h('span.track-time', duration(t.duration_ms)),
    h('button.icon-btn', { 'aria-label': `Move ${t.title} up`, title: 'Move up', disabled: i === 0, onclick: () => moved(t, i, i - 1) }, icon('up')),
    h('button.icon-btn.down', { 'aria-label': `Move ${t.title} down`, title: 'Move down', disabled: i === q.length - 1, onclick: () => moved(t, i, i + 1) }, icon('up')),
    h('button.icon-btn', { 'aria-label': `Remove ${t.title} from the queue`, title: 'Remove', disabled: i === player.index, onclick: () => { player.removeAt(i); toast(`Removed ${t.title} from the queue`); } }, icon('close')));
  // The page is drawn again after a move; the moved row's button keeps the focus, for the next press.
  const moved = (t, from, to) => {
    player.move(from, to);
    app.focusAfterRender = `[data-index="${to}"] button[aria-label="Move ${CSS.escape(t.title)} ${to < from ? 'up' : 'down'}"]`;
    toast(`Moved ${t.title} to position ${to + 1}`);
  };
  const upcoming = q.slice(player.index + 1);
  const saveForm = h('form.save-queue', {
    onsubmit: async (e) => {
      e.preventDefault();
      const name = e.currentTarget.elements.name.value.trim();
      if (!name) return;
      const p = await app.createPlaylist(name, q.map((t) => t.id));
      if (p) location.hash = `#/playlist/${p.id}`;
    },
  },
    h('label', { for: 'queue-playlist-name' }, 'Save the queue as a playlist'),
    h('input', { id: 'queue-playlist-name', name: 'name', required: true, maxLength: 200, placeholder: 'Playlist name', autocomplete: 'off' }),
    h('button.btn', { type: 'submit' }, 'Save'));
  return h('div.page', h('div.page-title-row', h('h1', 'Queue'),
    h('div.actions',
      upcoming.length ? h('button.btn', { onclick: () => player.clearUpcoming() }, 'Clear upcoming') : null,
      q.length ? h('button.btn', { onclick: () => { player.clear(); toast('The queue is empty'); } }, 'Clear queue') : null)),
  radioLine(app),
  q.length ? saveForm : null,
  player.current ? [h('h2', 'Now playing'), h('ol.tracks', row(player.current, player.index))] : h('p.empty', 'Nothing is playing. Pick a track, or add some with ••• → Add to queue.'),
  upcoming.length ? [h('h2', 'Next up'), h('ol.tracks', upcoming.map((t, k) => row(t, player.index + 1 + k)))] : null,
  player.index > 0 ? [h('h2', 'Played'), h('ol.tracks.dim', q.slice(0, player.index).map((t, i) => row(t, i)))] : null);
}
