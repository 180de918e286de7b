import { API_JS } from './api-js.js';
import { APP_JS } from './app-js.js';
import { DETAIL_JS } from './detail-js.js';
import { DETAIL_PARTS_JS } from './detail-parts-js.js';
import { DOM_JS } from './dom-js.js';
import { FAVICON_SVG, INDEX_HTML } from './index-html.js';
import { LISTS_JS } from './lists-js.js';
import { OVERVIEW_JS } from './overview-js.js';
import { PROBLEMS_JS } from './problems-js.js';
import { STYLE_CSS } from './style-css.js';

/** One file of the dashboard: the request paths it answers (prefix already stripped), its type and text. */
export interface DashboardAsset {
  readonly paths: readonly string[];
  readonly contentType: string;
  readonly body: string;
}

const JS = 'text/javascript; charset=utf-8'; // RFC 9239: text/javascript is the one JavaScript media type.

/**
 * Every file the dashboard serves. The JavaScript files are ES modules importing each other by relative URL,
 * so they load with `script-src 'self'` and need no bundler.
 */
export const DASHBOARD_ASSETS: readonly DashboardAsset[] = [
  { paths: ['/', '/index.html'], contentType: 'text/html; charset=utf-8', body: INDEX_HTML },
  { paths: ['/style.css'], contentType: 'text/css; charset=utf-8', body: STYLE_CSS },
  { paths: ['/favicon.svg'], contentType: 'image/svg+xml', body: FAVICON_SVG },
  { paths: ['/app.js'], contentType: JS, body: APP_JS },
  { paths: ['/api.js'], contentType: JS, body: API_JS },
  { paths: ['/dom.js'], contentType: JS, body: DOM_JS },
  { paths: ['/lists.js'], contentType: JS, body: LISTS_JS },
  { paths: ['/detail.js'], contentType: JS, body: DETAIL_JS },
  { paths: ['/detail-parts.js'], contentType: JS, body: DETAIL_PARTS_JS },
  { paths: ['/overview.js'], contentType: JS, body: OVERVIEW_JS },
  { paths: ['/problems.js'], contentType: JS, body: PROBLEMS_JS },
];
