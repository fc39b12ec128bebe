// The now-playing bar: what plays, play/pause/skip, a seek bar, the queue.
import { h, icon, cover, duration, artistNames } from './ui.js';
import { star, link } from './components.js';
import { radioLabel, similarLink } from './discover.js';

export function nowPlayingBar(app) {
  const { player } = app;
  const art = h('div.np-art');
  const title = h('div.np-title');
  const sub = h('div.np-sub');
  const starSlot = h('span.np-star');
  const playBtn = h('button.icon-btn.play-main', { 'aria-label': 'Play', title: 'Play / pause (Space)', onclick: () => player.toggle() }, icon('play'));
  const prevBtn = h('button.icon-btn', { 'aria-label': 'Previous track', title: 'Previous (Shift+←)', onclick: () => player.previous() }, icon('prev'));
  const nextBtn = h('button.icon-btn', { 'aria-label': 'Next track', title: 'Next (Shift+→)', onclick: () => player.next() }, icon('next'));
  const elapsed = h('span.np-time', '0:00');
  const total = h('span.np-time', '0:00');
  const seek = h('input.seek', { type: 'range', min: 0, max: 1000, value: 0, step: 1, 'aria-label': 'Seek' });
  const status = h('div.np-status');
  let dragging = false;
  seek.addEventListener('input', () => {
    dragging = true;
    elapsed.textContent = duration((seek.value / 1000) * player.durationS() * 1000);
  });
  seek.addEventListener('change', () => {
    dragging = false;
    player.seekTo((seek.value / 1000) * player.durationS());
  });
  const volume = h('input.volume', { type: 'range', min: 0, max: 100, value: Math.round(player.audio.volume * 100), 'aria-label': 'Volume',
    oninput: (e) => (player.audio.volume = e.target.value / 100) });

  const bar = h('footer.nowplaying', { 'aria-label': 'Now playing' },
    h('div.np-track', art, h('div.np-text', title, sub, radioLabel(app)), starSlot),
    h('div.np-center',
      h('div.np-controls', prevBtn, playBtn, nextBtn),
      h('div.np-seek', elapsed, seek, total),
      status),
    h('div.np-right',
      h('a.icon-btn', { href: '#/queue', 'aria-label': 'Queue', title: 'Queue (Q)' }, icon('queue')),
      h('span.vol', icon('volume'), volume)));

  let shownId = null;
  const update = () => {
    const t = player.current;
    bar.classList.toggle('empty', !t);
    if (t?.id !== shownId) {
      shownId = t?.id ?? null;
      art.replaceChildren(t ? cover(t.album?.id ?? t.id, t.album?.title ?? t.title, 'sm', t.cover_art) : cover('', '', 'sm'));
      title.replaceChildren(t ? (t.album ? link(`#/album/${t.album.id}`, t.title) : t.title) : 'Nothing playing');
      sub.textContent = t ? artistNames(t) : 'Pick something to listen to';
      starSlot.replaceChildren(...(t ? [star(app, 'track', t.id, t.title), similarLink(t)] : []));
      document.title = t ? `${t.title} · Chorus` : 'Chorus';
    }
    const playing = player.playing;
    playBtn.replaceChildren(icon(playing ? 'pause' : 'play'));
    playBtn.setAttribute('aria-label', playing ? 'Pause' : 'Play');
    prevBtn.disabled = !t;
    nextBtn.disabled = player.index + 1 >= player.queue.length;
    const p = player.playback;
    if (p?.loading) status.textContent = p.total ? `Loading ${Math.round((100 * p.loaded) / p.total)}%` : 'Opening…';
    else if (p?.failed) status.textContent = 'Could not play this track';
    else if (p?.entitlement === 'preview') status.textContent = 'Preview: 30 seconds on the free plan';
    else status.textContent = '';
    status.classList.toggle('error', !!p?.failed);
    time();
  };
  const time = () => {
    const d = player.durationS();
    total.textContent = duration(d * 1000);
    if (dragging) return;
    const c = player.audio.currentTime || 0;
    elapsed.textContent = duration(c * 1000);
    seek.value = d > 0 ? Math.round((c / d) * 1000) : 0;
    seek.style.setProperty('--pct', `${d > 0 ? (100 * c) / d : 0}%`);
  };
  player.addEventListener('change', () => {
    update();
    if (app.view === 'queue') app.rerender();
    for (const li of document.querySelectorAll('li.track[data-track-id]')) {
      if (!li.closest('ol.dim')) li.classList.toggle('current', li.dataset.trackId === player.current?.id);
    }
  });
  player.addEventListener('time', time);
  player.audio.addEventListener('durationchange', time);
  update();
  return bar;
}
