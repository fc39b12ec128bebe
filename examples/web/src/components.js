// Pieces every page uses: track lists, album cards, stars, the track menu.
import { h, icon, cover, duration, artistNames, showError, toast } from './ui.js';
import { profile } from './subjects.js';
import { hasAudio, trackAvailability } from './availability.js';

/** A star button for a track, album or artist, kept in step with the library. */
export function star(app, kind, id, label) {
  const on = () => app.favorites[kind].has(id);
  const btn = h('button.icon-btn.star', {
    title: 'Star',
    'aria-label': `Star ${label}`,
    dataset: { starKind: kind, starId: id },
    onclick: async (e) => {
      e.stopPropagation();
      const starred = !on();
      try {
        await app.session.call(profile.favoriteSet, { kind, id, starred });
        if (starred) app.favorites[kind].add(id);
        else app.favorites[kind].delete(id);
        app.refreshStars();
        toast(starred ? `Starred ${label}` : `Removed the star from ${label}`);
      } catch (err) {
        showError(err);
      }
    },
  }, icon('star'));
  btn.setAttribute('aria-pressed', String(on()));
  return btn;
}

export function link(href, text) {
  return h('a', { href, onclick: (e) => e.stopPropagation() }, text);
}

export function artistLinks(track) {
  const artists = track.artists?.length ? track.artists : track.album_artist ? [track.album_artist] : [];
  const out = [];
  artists.forEach((a, i) => {
    if (i) out.push(', ');
    out.push(link(`#/artist/${a.id}`, a.name));
  });
  return out;
}

/**
 * A list of tracks; a click plays the list from that track.
 * `extra(track, i)` may add a control (remove from playlist); `note(track, i)`
 * a line under it (why it was recommended).
 */
/** What playing `track` gives this listener: 'none', 'preview' or 'full' (availability.js). */
export function availability(app, track) {
  return trackAvailability(track, app.previewsToday?.() ?? false);
}

export { hasAudio };

/** The badge an unavailable or preview-only track shows. */
export function availabilityBadge(kind) {
  if (kind === 'none') return h('span.badge.no-audio', { title: 'The catalog has no audio for this track' }, 'No audio');
  if (kind === 'preview') return h('span.badge.preview', { title: 'Your free full plays for today are used up: 30-second preview' }, 'Preview');
  return null;
}

/**
 * A list of tracks; a click plays the list from that track.
 * `extra(track, i)` may add a control (remove from playlist); `note(track, i)`
 * a line under it (why it was recommended). A track without audio is marked
 * and cannot be started; one the listener's plan only previews says so.
 */
export function trackList(app, tracks, { numbered = false, showAlbum = true, extra, meta, note } = {}) {
  if (!tracks.length) return h('p.empty', 'No tracks here yet.');
  return h('ol.tracks', { role: 'list' }, tracks.map((t, i) => {
    const current = app.player.current?.id === t.id;
    const kind = availability(app, t);
    const playable = kind !== 'none';
    return h(`li.track${current ? '.current' : ''}${playable ? '' : '.unavailable'}`, {
      dataset: { trackId: t.id, availability: kind },
      ondblclick: () => playable && app.player.playList(tracks, i),
    },
      h('button.icon-btn.play-row', {
        // A numbered list shows the number on the button: the name says it first (axe: label-content-name-mismatch).
        'aria-label': `${numbered ? `${t.track_number ?? i + 1}. ` : ''}${playable ? `Play ${t.title}${kind === 'preview' ? ' (preview)' : ''}` : `${t.title}: no audio to play`}`,
        disabled: !playable,
        onclick: () => app.player.playList(tracks, i),
      },
        numbered ? h('span.num', String(t.track_number ?? i + 1)) : cover(t.album?.id ?? t.id, t.album?.title ?? t.title, 'xs', t.cover_art),
        icon('play')),
      h('div.track-main',
        h('div.track-title', t.title),
        h('div.track-sub', availabilityBadge(kind), artistLinks(t), showAlbum && t.album ? [' · ', link(`#/album/${t.album.id}`, t.album.title)] : null,
          meta ? [' · ', meta(t, i)] : null),
        note ? h('div.track-note', note(t, i)) : null),
      h('span.track-time', duration(t.duration_ms)),
      star(app, 'track', t.id, t.title),
      extra ? extra(t, i) : null,
      h('button.icon-btn', { 'aria-label': `More for ${t.title}`, title: 'More', onclick: (e) => { e.stopPropagation(); trackMenu(app, t, e.currentTarget); } }, icon('more')),
    );
  }));
}

/** Album cards, for a grid (one page of a paged grid, or all of them). */
/** Album cards; `sub` says what goes under the title (the artist and year by default). */
export function albumCards(albums, sub = (a) => [a.artist?.name, a.year].filter(Boolean).join(' · ')) {
  return albums.map((a) =>
    h('a.card', { href: `#/album/${a.id}` },
      cover(a.id, a.title, '', a.cover_art),
      h('div.card-title', a.title),
      h('div.card-sub', sub(a))));
}

export function albumGrid(albums) {
  if (!albums.length) return h('p.empty', 'No albums here yet.');
  return h('div.grid', albumCards(albums));
}

let openMenu = null;
export function closeMenu() {
  openMenu?.remove();
  openMenu = null;
}
document.addEventListener('click', (e) => {
  if (openMenu && !openMenu.contains(e.target)) closeMenu();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeMenu();
});

/** Play next, add to the queue, start a radio, add to a playlist (or a new one). */
export function trackMenu(app, track, anchor) {
  closeMenu();
  const item = (label, action) => h('button.menu-item', { role: 'menuitem', onclick: async (e) => {
    e.stopPropagation();
    closeMenu();
    await action();
  } }, label);
  const newForm = h('form.menu-new', {
    onsubmit: async (e) => {
      e.preventDefault();
      const name = e.currentTarget.elements.name.value.trim();
      if (!name) return;
      closeMenu();
      await app.createPlaylist(name, [track.id]);
    },
  }, h('input', { name: 'name', placeholder: 'New playlist name', 'aria-label': 'New playlist name', maxLength: 200 }),
  h('button.btn.small', { type: 'submit' }, 'Create'));
  const menu = h('div.menu', { role: 'menu', onclick: (e) => e.stopPropagation() },
    item('Play next', () => { app.player.enqueue([track], { next: true }); toast(`${track.title} plays next`); }),
    item('Add to queue', () => { app.player.enqueue([track]); toast(`Added ${track.title} to the queue`); }),
    item('Start radio', () => app.startRadio({ kind: 'track', id: track.id }, track.title)),
    track.album ? item('Go to album', () => (location.hash = `#/album/${track.album.id}`)) : null,
    h('div.menu-label', 'Add to playlist'),
    app.playlists.map((p) => item(p.name, () => app.addToPlaylist(p.id, [track.id]))),
    newForm,
  );
  document.body.append(menu);
  const r = anchor.getBoundingClientRect();
  const top = Math.min(r.bottom + 4, window.innerHeight - menu.offsetHeight - 8);
  menu.style.top = `${Math.max(8, top)}px`;
  menu.style.left = `${Math.max(8, Math.min(r.right - menu.offsetWidth, window.innerWidth - menu.offsetWidth - 8))}px`;
  openMenu = menu;
  menu.querySelector('button')?.focus();
}

export function pageHeader({ seed, title, kind, sub, actions = [], art = null }) {
  return h('header.page-head',
    cover(seed, title, 'lg', art),
    h('div.page-head-text',
      h('div.kind', kind),
      h('h1', title),
      sub ? h('div.page-sub', sub) : null,
      h('div.actions', actions)));
}

export { artistNames };
