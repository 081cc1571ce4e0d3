import { Router, type Response } from 'express';
import { dirname, join } from 'node:path';

/** The page and its own script and styles, next to this module (the build copies them along). */
const CONSOLE_DIR = join(__dirname, 'console');
const PAGE_FILES: Record<string, string> = {
  'console.js': join(CONSOLE_DIR, 'console.js'),
  'console.css': join(CONSOLE_DIR, 'console.css'),
};

/** The toolkit, served from the installed packages: the console works offline and at the locked versions. */
const VENDOR_FILES: Record<string, string> = {
  'alpine.min.js': require.resolve('alpinejs/dist/cdn.min.js'),
  // chart.js exports no path to its UMD build; it sits in dist/ beside the package's auto/ entry.
  'chart.umd.min.js': join(dirname(require.resolve('chart.js/auto')), '..', 'dist', 'chart.umd.min.js'),
  'pico.min.css': require.resolve('@picocss/pico/css/pico.min.css'),
};

function sendFileNamed(res: Response, files: Record<string, string>, name: string, next: () => void): void {
  const path = Object.hasOwn(files, name) ? files[name] : undefined;
  if (path === undefined) next();
  else res.sendFile(path, { headers: { 'cache-control': 'no-cache' } });
}

/** The operator console at /console/: one page over this service's API, nothing else of the folder served. */
export function consoleRoutes(): Router {
  const router = Router();
  router.get('/console', (req, res) => {
    // The page's links are relative (vendor/..., ../api/...): it must be addressed with its slash
    // (Express matches /console and /console/ alike).
    if (req.path.endsWith('/')) res.sendFile(join(CONSOLE_DIR, 'index.html'), { headers: { 'cache-control': 'no-cache' } });
    else res.redirect(301, '/console/');
  });
  router.get('/console/vendor/:file', (req, res, next) => sendFileNamed(res, VENDOR_FILES, req.params.file, next));
  router.get('/console/:file', (req, res, next) => sendFileNamed(res, PAGE_FILES, req.params.file, next));
  return router;
}
