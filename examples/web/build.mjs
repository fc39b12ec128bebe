// Builds the page into dist/: one bundled, minified app.js, plus index.html, style.css,
// the web app manifest, its icon and the service worker (sw.js, from sw.template.js).
// dist/config.json (where to connect) is written by scripts/dev.sh, not here.
import { build } from 'esbuild';
import { mkdir, copyFile, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.js')],
  outfile: join(dist, 'app.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  logLevel: 'warning',
});
const shell = ['index.html', 'style.css', 'manifest.webmanifest', 'icon.svg'];
for (const f of shell) await copyFile(join(here, f), join(dist, f));
// The service worker's cache is named after what it caches: a new build, a new cache.
const digest = createHash('sha256');
for (const f of ['app.js', ...shell]) digest.update(await readFile(join(dist, f)));
const worker = (await readFile(join(here, 'sw.template.js'), 'utf8')).replace('__VERSION__', digest.digest('hex').slice(0, 16));
await writeFile(join(dist, 'sw.js'), worker);
console.log(`built ${dist}`);
