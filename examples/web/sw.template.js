// The Chorus web player's service worker: the app shell (page, script,
// styles, manifest, icon) from its cache, refreshed in the background, so
// the player opens instantly, on a bad network too; config.json (where to
// connect) from the network first, its last copy when the server is away.
// Everything else (the music and the catalog) travels over the websocket,
// which this worker never sees. build.mjs writes VERSION: a new build is a
// new cache, and the old one is dropped when it takes over.
const VERSION = '__VERSION__';
const CACHE = `chorus-shell-${VERSION}`;
const SHELL = ['./', 'index.html', 'app.js', 'style.css', 'manifest.webmanifest', 'icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL);
    // Where to connect, too: the page asks for it first thing, offline as well.
    await cache.add('config.json').catch(() => {});
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('chorus-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.endsWith('/config.json')) {
    event.respondWith(networkFirst(req));
    return;
  }
  const shell = req.mode === 'navigate' ? 'index.html' : SHELL.find((f) => f !== './' && url.pathname.endsWith(`/${f}`));
  if (shell) event.respondWith(fromCache(req, shell));
});

/** The cached copy at once, a fresh one into the cache for next time. */
async function fromCache(req, name) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(name);
  const fresh = fetch(req).then((res) => {
    if (res.ok) cache.put(name, res.clone());
    return res;
  });
  if (cached) {
    fresh.catch(() => {});
    return cached;
  }
  return fresh;
}

async function networkFirst(req) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put('config.json', res.clone());
    return res;
  } catch (err) {
    const cached = await cache.match('config.json');
    if (cached) return cached;
    throw err;
  }
}
