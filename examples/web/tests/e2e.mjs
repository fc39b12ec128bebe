// End-to-end: a listener in headless Chromium against a running dev stack
// (scripts/web-e2e.sh starts one). Register, log in, search with a typo,
// play, seek, add to a new playlist, reload, log in again, and find the
// playlist and the play. A screenshot of every step goes to test-artifacts/.
//
// Settings: CHORUS_WEB_URL (http://127.0.0.1:5173/), CHROMIUM (/usr/bin/chromium),
// CHORUS_E2E_ARTIFACTS (examples/web/test-artifacts).
import { chromium } from 'playwright-core';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const url = process.env.CHORUS_WEB_URL ?? 'http://127.0.0.1:5173/';
const artifacts = process.env.CHORUS_E2E_ARTIFACTS ?? join(here, '..', 'test-artifacts');
const username = `e2e_${Date.now().toString(36)}`;
const password = `listen-${Math.random().toString(36).slice(2)}-long`;
const playlistName = `Road trip ${username}`;

await rm(artifacts, { recursive: true, force: true });
await mkdir(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  // Quiet on a machine without internet; --no-sandbox because CI runs as root.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const consoleErrors = [];
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
page.on('pageerror', (e) => consoleErrors.push(String(e)));

let passed = 0;
let failed = 0;
let n = 0;
async function step(name, fn) {
  const shot = join(artifacts, `${String(++n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok ${n} - ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed++;
    console.log(`not ok ${n} - ${name}\n  ${String(err?.stack ?? err).split('\n').join('\n  ')}`);
  }
  await page.screenshot({ path: shot }).catch(() => {});
  if (failed) throw new Error('stopping at the first failure');
}

const audioTime = () => page.evaluate(() => document.getElementById('audio').currentTime);

async function signIn(user, pass) {
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

let target; // the track to find, play and keep
try {
  await step('register', async () => {
    await page.goto(url);
    await page.getByRole('button', { name: 'New here? Create an account' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(`${username}@example.com`);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Newest albums' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to listen' }).waitFor();
  });

  await step('log in', async () => {
    await signIn(username, password);
    await page.getByRole('heading', { name: 'Newest albums' }).waitFor();
    await page.locator('.card').first().waitFor();
  });

  await step('search with a typo', async () => {
    // A word of 5+ letters from a real title, with one letter changed.
    const { tracks } = await page.evaluate(() => window.chorus.wire.request('chorus.catalog.v1.track.list', { limit: 100 }));
    target = tracks.find((t) => t.title.split(/\s+/).some((w) => /^\p{L}{5,}$/u.test(w)));
    if (!target) throw new Error('no track title has a word of 5 or more letters');
    const word = target.title.split(/\s+/).find((w) => /^\p{L}{5,}$/u.test(w));
    const i = Math.floor(word.length / 2);
    const typo = word.slice(0, i) + (word[i].toLowerCase() === 'x' ? 'z' : 'x') + word.slice(i + 1);
    console.log(`  searching "${typo}" for "${target.title}"`);
    await page.getByLabel('Search').click();
    await page.keyboard.type(typo.toLowerCase(), { delay: 60 });
    await page.locator(`.search-results li.track[data-track-id="${target.id}"]`).waitFor({ timeout: 5000 });
  });

  await step('play', async () => {
    await page.locator(`.search-results li.track[data-track-id="${target.id}"] .play-row`).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 15000 });
    const t0 = await audioTime();
    await page.waitForTimeout(2000);
    const t1 = await audioTime();
    console.log(`  currentTime ${t0.toFixed(2)} s -> ${t1.toFixed(2)} s`);
    if (!(t1 > t0 + 1)) throw new Error(`audio did not advance: ${t0} -> ${t1}`);
    await page.locator('.np-title', { hasText: target.title }).waitFor();
  });

  await step('seek', async () => {
    const before = await audioTime();
    // Seek with the bar to 70%, then forward 5 s with the keyboard.
    await page.getByLabel('Seek').evaluate((el) => {
      el.value = 700;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const duration = await page.evaluate(() => document.getElementById('audio').duration);
    const afterBar = await audioTime();
    if (Math.abs(afterBar - duration * 0.7) > 1.5) throw new Error(`seek bar: at ${afterBar} s, wanted ${duration * 0.7}`);
    await page.locator('body').click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.keyboard.press('ArrowLeft');
    const afterKey = await audioTime();
    console.log(`  ${before.toFixed(2)} s -> bar ${afterBar.toFixed(2)} s -> ← ${afterKey.toFixed(2)} s (of ${duration.toFixed(1)} s)`);
    if (!(afterKey < afterBar - 3)) throw new Error('ArrowLeft did not seek back');
  });

  await step('space pauses and resumes', async () => {
    await page.keyboard.press(' ');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
    const t0 = await audioTime();
    await page.waitForTimeout(700);
    if ((await audioTime()) !== t0) throw new Error('still playing after Space');
    await page.keyboard.press(' ');
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await page.waitForFunction((t) => document.getElementById('audio').currentTime > t + 0.3, t0);
  });

  await step('add to a new playlist', async () => {
    await page.getByRole('button', { name: `More for ${target.title}` }).first().click();
    await page.getByLabel('New playlist name').fill(playlistName);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('.side-link', { hasText: playlistName }).waitFor();
  });

  await step('play is recorded when the track ends', async () => {
    // Let it play to the end (past 30 s, or ended): the stream session records the play.
    await page.waitForFunction((id) => window.chorus.player.recorded.includes(id), target.id, { timeout: 60000 });
  });

  await step('reload and log in again', async () => {
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to listen' }).waitFor();
    // A wrong password first: the listener is told in plain words.
    await signIn(username, `${password}-wrong`);
    await page.getByText('That username and password do not match.').waitFor();
    await signIn(username, password);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  await step('find the playlist', async () => {
    await page.locator('.side-link', { hasText: playlistName }).click();
    await page.getByRole('heading', { name: playlistName }).waitFor();
    await page.locator(`li.track[data-track-id="${target.id}"]`).waitFor();
  });

  await step('find the play in recently played', async () => {
    await page.locator('a.nav-link[data-nav="#/recent"]').click();
    await page.getByRole('heading', { name: 'Recently played' }).waitFor();
    await page.locator(`li.track[data-track-id="${target.id}"]`).waitFor();
  });

  await step('a missing album is explained', async () => {
    await page.goto(`${url}#/album/00000000-0000-7000-8000-000000000000`);
    await page.getByText('We could not find that album.').waitFor();
  });

  await step('phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('a.nav-link[data-nav="#/"]').click();
    await page.getByRole('heading', { name: 'Newest albums' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error(`the page is ${overflow}px wider than a phone`);
    await page.getByRole('button', { name: 'Play' }).first().waitFor();
  });
} catch (err) {
  if (!failed) {
    failed++;
    console.log(`not ok - ${err?.stack ?? err}`);
  }
} finally {
  if (consoleErrors.length) console.log(`browser console errors:\n  ${consoleErrors.join('\n  ')}`);
  await browser.close();
  console.log(`screenshots in ${artifacts}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
