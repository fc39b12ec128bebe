// Installable: the page registers its service worker (sw.js, made by
// build.mjs), which keeps the app shell so the player opens at once and can
// say plainly that the server is out of reach (main.js retries by itself).
export function installShell() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('sw.js').catch((err) => console.warn('service worker', err));
}
