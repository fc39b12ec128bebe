// The library pages' addresses and requests (no DOM here: unit-tested).

export const ALBUM_SORTS = [
  ['added', 'Recently added'],
  ['name', 'Name'],
  ['year_desc', 'Year (newest first)'],
  ['year', 'Year (oldest first)'],
  ['random', 'Random'],
  ['played', 'Most played'],
];
/** The sort that is the listener's own (profile play.albums), not the catalog's: genre and decade do not apply. */
export const PLAYED = 'played';
/** A page of the library's lists: a screen or two of cards. */
export const PAGE = 60;

/** The query of a `#/albums?...` hash, with the defaults filled in. */
export function albumQuery(hash) {
  const q = new URLSearchParams(hash.split('?')[1] ?? '');
  const sort = ALBUM_SORTS.some(([s]) => s === q.get('sort')) ? q.get('sort') : 'added';
  const d = /^\d{1,4}$/.test(q.get('decade') ?? '') ? Number(q.get('decade')) : NaN;
  const decade = d % 10 === 0 && d <= 3000 ? d : null; // what album.browse takes (else 400 invalid_decade)
  return { sort, genre: q.get('genre') || null, decade };
}

/** The hash of an albums page: the defaults are left out, so the plain link is `#/albums`. */
export function albumHash({ sort, genre, decade }) {
  const q = new URLSearchParams();
  if (sort && sort !== 'added') q.set('sort', sort);
  if (genre) q.set('genre', genre);
  if (decade !== null && decade !== undefined) q.set('decade', String(decade));
  const s = q.toString();
  return s ? `#/albums?${s}` : '#/albums';
}

/** The request body of a `play.albums` page (the listener's most played albums). */
export function playedAlbumsBody(cursor) {
  return cursor ? { limit: PAGE, cursor } : { limit: PAGE };
}

/** The request body of an `album.browse` page. */
export function albumBrowseBody({ sort, genre, decade }, cursor) {
  const body = { sort, limit: PAGE };
  if (genre) body.genre = genre;
  if (decade !== null && decade !== undefined) body.decade = decade;
  if (cursor) body.cursor = cursor;
  return body;
}

/** Decades to pick from: the 1950s up to this one. */
export function decades(now = new Date()) {
  const out = [];
  for (let d = Math.floor(now.getFullYear() / 10) * 10; d >= 1950; d -= 10) out.push(d);
  return out;
}

export const LETTERS = ['#', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** The letter an `#/artists?from=M` hash jumps to (null: from the start). */
export function letterOf(hash) {
  const from = new URLSearchParams(hash.split('?')[1] ?? '').get('from');
  return from && LETTERS.includes(from.toUpperCase()) && from !== '#' ? from.toUpperCase() : null;
}

/** The request body of an `artist.browse` page: `from` starts the first page only. */
export function artistBrowseBody(letter, cursor) {
  if (cursor) return { limit: PAGE, cursor };
  return letter ? { limit: PAGE, from: letter.toLowerCase() } : { limit: PAGE };
}

/** How the artist page files releases (catalog `release_type`, stored or inferred), in its order. */
export const RELEASE_GROUPS = [
  ['album', 'Albums'],
  ['ep', 'EPs'],
  ['single', 'Singles'],
  ['compilation', 'Compilations'],
  ['live', 'Live'],
  ['soundtrack', 'Soundtracks'],
  ['remix', 'Remixes'],
  ['other', 'Other releases'],
];

/**
 * `albums` filed by release type: `[type, label, albums]` in RELEASE_GROUPS
 * order, empty groups left out, each group in the order given; an album of
 * no type (or one this page does not know) is among the other releases.
 */
export function releaseGroups(albums) {
  const known = new Set(RELEASE_GROUPS.map(([t]) => t));
  const kind = (a) => (known.has(a.release_type) ? a.release_type : 'other');
  return RELEASE_GROUPS.map(([t, label]) => [t, label, albums.filter((a) => kind(a) === t)]).filter(([, , list]) => list.length);
}
