// Builds the page into dist/: one bundled, minified app.js, plus index.html and style.css.
// dist/config.json (where to connect) is written by scripts/dev.sh, not here.
import { build } from 'esbuild';
import { mkdir, copyFile } from 'node:fs/promises';
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
for (const f of ['index.html', 'style.css']) await copyFile(join(here, f), join(dist, f));
console.log(`built ${dist}`);
