import type { IncomingMessage, ServerResponse } from 'node:http';
import serveStatic from 'serve-static';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const MAX_CACHED = 64;

// One serve-static handler per release dir (index.html for directories, no dotfiles). The
// release's files never change once unpacked, so handlers are kept for the next request.
export class StaticFiles {
  private readonly handlers = new Map<string, Handler>();

  serve(root: string, req: IncomingMessage, res: ServerResponse, notFound: () => void): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
      return;
    }
    let handler = this.handlers.get(root);
    if (!handler) {
      if (this.handlers.size >= MAX_CACHED) this.handlers.delete(this.handlers.keys().next().value!);
      handler = serveStatic(root, { index: ['index.html'], dotfiles: 'ignore', fallthrough: true }) as unknown as Handler;
      this.handlers.set(root, handler);
    }
    handler(req, res, (err) => {
      if (err && !res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
        return;
      }
      notFound();
    });
  }

  forget(root: string): void {
    this.handlers.delete(root);
  }
}
