// Discovery, from the recommend service: the home page's "Made for you"
// shelf, radio (started from a track, an album, an artist, a playlist, a
// genre or the listener's library; shown in the bar and the queue), similar
// tracks (#/similar/<id>) and similar artists. Every recommended track shows
// why it was picked. The radio's rules are in radio.js.
import { h, icon, showError, toast } from './ui.js';
import { catalog, recommend } from './subjects.js';
import { trackList } from './components.js';

const MIX_LIMIT = 20;
const SIMILAR_LIMIT = 20;
const SIMILAR_ARTISTS_LIMIT = 10;

/** The tracks of `picks`, in order, and `note(track)`: the reason each was picked. */
async function picked(app, picks) {
  const reasons = new Map(picks.map((p) => [p.track_id, p.reason_text]));
  const tracks = await app.tracksById([...reasons.keys()]);
  return { tracks, note: (t) => reasons.get(t.id) };
}

/**
 * The home page's shelf from `user.mix`, with a radio from the listener's
 * library; null when there is nothing to show or the call failed (the home
 * page renders without it).
 */
export async function mixShelf(app) {
  try {
    let mix = await app.session.call(recommend.userMix, { limit: MIX_LIMIT });
    // Everything it could pick was played lately (a small catalog): those, rather than no shelf.
    if (!mix.tracks.length) mix = await app.session.call(recommend.userMix, { limit: MIX_LIMIT, include_recent: true });
    const { tracks, note } = await picked(app, mix.tracks);
    if (!tracks.length) return null;
    return h('section.shelf', { 'aria-labelledby': 'shelf-mix' },
      h('div.page-title-row.wrap',
        h('h2', { id: 'shelf-mix' }, mix.cold_start ? 'Popular on Chorus' : 'Made for you'),
        radioButton(app, { kind: 'library' }, 'your library', 'Start radio from my library')),
      trackList(app, tracks, { note }));
  } catch (err) {
    console.warn('user.mix', err);
    return null;
  }
}

/** Start a radio from `seed` ("Radio: <name>"): the queue becomes its tracks. */
export async function startRadio(app, seed, name) {
  try {
    const n = await app.radio.start(seed, name);
    toast(n ? `Radio: ${name}` : `There is nothing to play on a radio from ${name} yet.`);
  } catch (err) {
    showError(err);
  }
}

export function radioButton(app, seed, name, label = 'Start radio') {
  return h('button.btn', { onclick: () => startRadio(app, seed, name) }, icon('radio'), label);
}

/** "Radio: <seed>" and its Stop button, kept up to date, for the now-playing bar. */
export function radioLabel(app) {
  const el = h('div.np-radio');
  const update = () => el.replaceChildren(...(app.radio.name ? [
    h('span', { title: `Radio: ${app.radio.name}` }, `Radio: ${app.radio.name}`),
    h('button.icon-btn', { onclick: () => app.radio.stop(), 'aria-label': 'Stop radio', title: 'Stop radio' }, icon('close')),
  ] : []));
  app.radio.addEventListener('change', update);
  update();
  return el;
}

/** The queue page's line while a radio plays; null otherwise. */
export function radioLine(app) {
  if (!app.radio.name) return null;
  return h('p.radio-on', icon('radio'), `Radio: ${app.radio.name}`,
    h('button.btn.small', { onclick: () => app.radio.stop() }, 'Stop radio'));
}

/** Why the radio gave `track`, under it in the queue; null for a track it did not give. */
export function radioReason(app, track) {
  const reason = app.radio.reason(track.id);
  return reason ? h('div.track-note', reason) : null;
}

/** Beside the now-playing track: a link to the tracks like it. */
export function similarLink(track) {
  return h('a.icon-btn', { href: `#/similar/${track.id}`, 'aria-label': `Similar to ${track.title}`, title: 'Similar tracks' }, icon('similar'));
}

/** #/similar/<track id>: the tracks like it, each with its reason. */
export async function similarPage(app, id) {
  const [[track], { tracks: picks }] = await Promise.all([
    app.tracksById([id]),
    app.session.call(recommend.trackSimilar, { track_id: id, limit: SIMILAR_LIMIT }),
  ]);
  const { tracks, note } = await picked(app, picks);
  const title = track?.title ?? 'this track';
  return h('div.page',
    h('div.page-title-row.wrap', h('h1', `Similar to ${title}`), radioButton(app, { kind: 'track', id }, title)),
    tracks.length ? trackList(app, tracks, { note }) : h('p.empty', 'Nothing similar yet: the more Chorus is listened to, the more it finds.'));
}

/** An artist page's "Similar artists", named by catalog `artist.get`; null when there are none or the call failed. */
export async function similarArtists(app, artistId) {
  try {
    const { artists } = await app.session.call(recommend.artistSimilar, { artist_id: artistId, limit: SIMILAR_ARTISTS_LIMIT });
    const named = (await Promise.all(artists.map((a) =>
      app.read(catalog.artistGet, { id: a.artist_id }).then((r) => r.artist).catch(() => null)))).filter(Boolean);
    if (!named.length) return null;
    return h('section', { 'aria-labelledby': 'similar-artists' },
      h('h2', { id: 'similar-artists' }, 'Similar artists'),
      h('ul.chips', named.map((a) => h('li', h('a.chip', { href: `#/artist/${a.id}` }, a.name)))));
  } catch (err) {
    console.warn('artist.similar', err);
    return null;
  }
}
