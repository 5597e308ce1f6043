/**
 * The fixture server's servers that hold a request (issue 18, item 6): `/silent/{any}` never
 * answers (no status line, the connection stays open); `/trickle/{any}` answers at once, then sends
 * one byte of a manifest every 100 ms, for ever. The page must bound both and name the host.
 * `/redirect-away/{rest}` redirects to `{rest}` on this server under the name `localhost`: another
 * origin, which the app's Content-Security-Policy refuses (issue 18, item 10).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
  'Content-Type': 'application/json',
};

export function heldHandler() {
  return (path: string, req: IncomingMessage, res: ServerResponse): boolean => {
    if (path.startsWith('/redirect-away/')) {
      const port = new URL(`http://${req.headers.host ?? 'x'}`).port;
      res.writeHead(302, { ...HEADERS, Location: `http://localhost:${port}/${path.slice(15)}` });
      res.end();
      return true;
    }
    if (path.startsWith('/silent/')) {
      req.socket.setTimeout(0); // held until the client goes
      return true;
    }
    if (!path.startsWith('/trickle/')) return false;
    res.writeHead(200, HEADERS);
    res.write('{');
    const timer = setInterval(() => res.write(' '), 100);
    res.on('close', () => clearInterval(timer));
    return true;
  };
}
