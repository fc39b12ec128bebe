// The listener's own data on the Account page: who invoices are made out to
// (billing details), a download of everything Chorus keeps about them (the
// same archive as `chorus account export`), and closing the account.
import { auth, payment, profile } from './subjects.js';
import { h, icon, toast, showError, errorText } from './ui.js';

/** The archive's format, as nodes/src/export.rs writes it. */
export const EXPORT_FORMAT = 'chorus-export/1';

/** Every page of a paged list: `call(cursor)` answers `{..., next}`; `take(page)` gives its items. */
async function allPages(call, take) {
  const items = [];
  let cursor = null;
  do {
    const page = await call(cursor);
    items.push(...take(page));
    cursor = page.next ?? null;
  } while (cursor);
  return items;
}

/** The listener's data, walked from the endpoints they already have (subjects.md, auth: Closing an account). */
export async function exportArchive(session) {
  const call = (subject, body) => session.call(subject, body, { timeout: 10000 });
  const cursorOf = (cursor) => (cursor ? { cursor } : {});
  const summaries = await allPages((c) => call(profile.playlistList, { limit: 50, ...cursorOf(c) }), (p) => p.playlists);
  const playlists = [];
  for (const s of summaries) playlists.push((await call(profile.playlistGet, { id: s.id, limit: 1 })).playlist);
  const favorites = { tracks: [], albums: [], artists: [] };
  await allPages((c) => call(profile.favoriteList, { limit: 500, ...cursorOf(c) }), (p) => {
    favorites.tracks.push(...p.tracks);
    favorites.albums.push(...p.albums);
    favorites.artists.push(...p.artists);
    return [];
  });
  const [account, ratings, queue, plays, subscription, methods, details, invoices] = await Promise.all([
    call(auth.me, {}),
    allPages((c) => call(profile.ratingList, { limit: 500, ...cursorOf(c) }), (p) => p.ratings),
    call(profile.queueGet, {}),
    allPages((c) => call(profile.playHistory, { limit: 1000, ...cursorOf(c) }), (p) => p.plays),
    call(payment.subscriptionGet, {}),
    call(payment.methodList, {}).then((r) => r.methods),
    call(payment.billingGet, {}),
    allPages((c) => call(payment.invoiceList, { limit: 100, ...cursorOf(c) }), (p) => p.invoices),
  ]);
  return {
    format: EXPORT_FORMAT,
    exported_at: Date.now(),
    account,
    profile: { playlists, favorites, ratings, queue, plays },
    billing: { subscription, methods, details, invoices },
  };
}

/** A file name for `archive`: chorus-<username>-<yyyy-mm-dd>.json. */
export const archiveName = (archive) =>
  `chorus-${archive.account?.username ?? 'account'}-${new Date(archive.exported_at).toISOString().slice(0, 10)}.json`;

export function billingDetailsSection(app, details) {
  const field = (name, label, props = {}) => h('label.field', label,
    h(props.rows ? 'textarea' : 'input', { name, value: details[name] ?? '', ...props }));
  const status = h('p.form-status', { role: 'status', 'aria-live': 'polite' });
  const save = h('button.btn', { type: 'submit' }, 'Save details');
  const form = h('form.billing-details', {
    'aria-labelledby': 'details-heading',
    onsubmit: async (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const body = Object.fromEntries(['name', 'address', 'country', 'tax_id'].map((k) => [k, String(data.get(k) ?? '')]));
      save.disabled = true;
      status.className = 'form-status';
      status.textContent = 'Saving…';
      try {
        const kept = await app.session.call(payment.billingUpdate, body);
        form.elements.country.value = kept.country;
        status.textContent = 'Saved: your next invoices are made out to these details.';
      } catch (err) {
        if (err.status === 401) return;
        status.className = 'form-status error';
        status.textContent = errorText(err);
      }
      save.disabled = false;
    },
  },
  field('name', 'Name on invoices', { maxLength: 200, autocomplete: 'name' }),
  field('address', 'Address', { rows: 3, maxLength: 500, autocomplete: 'street-address' }),
  field('country', 'Country (two letters, e.g. DE)', { maxLength: 2, autocomplete: 'country', size: 2 }),
  field('tax_id', 'VAT or tax number (optional)', { maxLength: 50 }),
  h('div.actions', save), status);
  return h('section.panel', { 'aria-labelledby': 'details-heading' },
    h('h2', { id: 'details-heading' }, 'Billing details'),
    h('p.small.muted', 'Who your invoices are made out to. Invoices already issued keep the details they were issued with.'),
    form);
}

/** Download everything as one JSON file, then (if the listener wants) close the account. */
export function yourDataSection(app) {
  const download = h('button.btn', {
    onclick: async () => {
      download.disabled = true;
      try {
        const archive = await exportArchive(app.session);
        const blob = new Blob([JSON.stringify(archive, null, 2)], { type: 'application/json' });
        const link = h('a', { href: URL.createObjectURL(blob), download: archiveName(archive) });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10000);
        toast(`Downloaded ${archiveName(archive)}`);
      } catch (err) {
        if (err.status !== 401) showError(err);
      }
      download.disabled = false;
    },
  }, icon('download'), 'Download my data');

  const passwordInput = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const understood = h('input', { type: 'checkbox', name: 'understood', required: true });
  const status = h('p.form-status', { role: 'status', 'aria-live': 'polite' });
  const close = h('button.btn.danger', { type: 'submit' }, 'Close my account');
  const form = h('form.close-account.hidden', {
    'aria-label': 'Close your account',
    onsubmit: async (e) => {
      e.preventDefault();
      close.disabled = true;
      status.className = 'form-status';
      status.textContent = 'Closing…';
      try {
        await app.session.call(auth.accountClose, { password: passwordInput.value });
        await app.leave('Your account is closed and your data is being erased. Thank you for listening.');
      } catch (err) {
        status.className = 'form-status error';
        status.textContent = errorText(err);
        close.disabled = false;
      }
    },
  },
  h('p', 'Closing your account ends your subscription now (the rest of this period is not refunded), removes your cards, ',
    'and erases your playlists, favorites, ratings, queue and listening history. Invoices are kept, as the law requires. ',
    'This cannot be undone: download your data first.'),
  h('label.field', 'Your password', passwordInput),
  h('label.check', understood, 'I understand that my account and its data will be gone'),
  h('div.actions', close), status);
  const toggle = h('button.btn.danger', {
    'aria-expanded': 'false',
    onclick: () => {
      const open = form.classList.toggle('hidden') === false;
      toggle.setAttribute('aria-expanded', String(open));
      if (open) passwordInput.focus();
    },
  }, 'Close account…');
  return h('section.panel', { 'aria-labelledby': 'data-heading' },
    h('h2', { id: 'data-heading' }, 'Your data'),
    h('p.small.muted', 'Everything Chorus keeps about you — profile, playlists, favorites, ratings, plays, subscription, cards (last four digits) and invoices — in one JSON file.'),
    h('div.actions', download, toggle), form);
}
