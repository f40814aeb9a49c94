import { formatHash, type Page, parseHash, type RouteParams } from './route.js';

export type { Page, RouteParams } from './route.js';

/** The current route, kept in sync with `location.hash`. */
export class Router {
  page = $state<Page>('services');
  params = $state<RouteParams>({});

  constructor() {
    this.read();
    window.addEventListener('hashchange', () => this.read());
  }

  private read(): void {
    const { page, params } = parseHash(window.location.hash);
    this.page = page;
    this.params = params;
  }

  /** Opens a page with exactly these parameters (a new history entry). */
  go(page: Page, params: RouteParams = {}): void {
    window.location.hash = formatHash(page, params);
  }

  /** Changes some parameters of the current page; `replace` keeps the history entry. */
  update(changes: Partial<Record<keyof RouteParams, string | undefined>>, replace = false): void {
    const next: RouteParams = { ...this.params, ...changes };
    const hash = formatHash(this.page, next);
    if (replace) {
      history.replaceState(history.state, '', hash);
      this.read();
    } else {
      window.location.hash = hash;
    }
  }

  /** The link to a page, for `<a href>`. */
  href(page: Page, params: RouteParams = {}): string {
    return formatHash(page, params);
  }
}

/** The single router of the app. */
export const router = new Router();
