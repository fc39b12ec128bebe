// A small static server for dist/ on 127.0.0.1 (port CHORUS_WEB_PORT, 5173 by
// default: nats/conf/dev.conf allows websocket connections from that origin).
// /config.json (where and as whom to connect) comes from CHORUS_WEB_CONFIG,
// which scripts/dev.sh writes into its state directory, else dist/config.json.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const port = Number(process.env.CHORUS_WEB_PORT ?? 5173);
const host = process.env.CHORUS_WEB_HOST ?? '127.0.0.1';
const config = process.env.CHORUS_WEB_CONFIG ?? join(dist, 'config.json');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

const server = createServer(async (req, res) => {
  let path;
  try {
    path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  } catch {
    res.writeHead(400).end();
    return;
  }
  const file = path === '/config.json' ? config : join(dist, path.endsWith('/') ? 'index.html' : path);
  if (file !== config && !file.startsWith(dist + '/')) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': types[extname(file)] ?? 'application/octet-stream',
      // config.json and the page change with every dev stack; never serve stale ones.
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
});
server.listen(port, host, () => console.log(`web player on http://${host}:${port}/`));
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
