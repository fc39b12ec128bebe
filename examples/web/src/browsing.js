// The library pages' addresses and requests (no DOM here: unit-tested).

export const ALBUM_SORTS = [
  ['added', 'Recently added'],
  ['name', 'Name'],
  ['year_desc', 'Year (newest first)'],
  ['year', 'Year (oldest first)'],
  ['random', 'Random'],
];
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
