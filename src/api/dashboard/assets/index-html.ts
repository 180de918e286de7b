/**
 * The dashboard's only page. Asset URLs are relative, so the page works wherever it is mounted as long as its
 * URL ends with `/` (the handler redirects `/dashboard` to `/dashboard/`); the API is fetched at absolute `/api/`.
 * No inline script or style: the Content-Security-Policy forbids both. The navigation is static markup so that
 * landmarks and links exist before the first API answer; app.js fills in counts and reveals TCP/UDP when present.
 */
export const INDEX_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>Berth dashboard</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="style.css">
<script type="module" src="app.js"></script>
</head>
<body>
<button type="button" class="skip" id="skip">Skip to content</button>
<header class="top">
  <a class="brand" href="#/">Berth</a>
  <nav aria-label="Sections">
    <ul class="nav">
      <li><a href="#/" data-nav="overview">Overview</a></li>
      <li><a href="#/problems" data-nav="problems" class="problems-link" id="problems-link">Problems<span class="count" id="problem-count" aria-hidden="true" hidden></span></a></li>
      <li class="group" data-proto="http"><span class="group-label" id="nav-http">HTTP</span>
        <ul aria-labelledby="nav-http">
          <li><a href="#/http/routers" data-nav="http/routers">Routers</a></li>
          <li><a href="#/http/services" data-nav="http/services">Services</a></li>
          <li><a href="#/http/middlewares" data-nav="http/middlewares">Middlewares</a></li>
        </ul>
      </li>
      <li class="group" data-proto="tcp" hidden><span class="group-label" id="nav-tcp">TCP</span>
        <ul aria-labelledby="nav-tcp">
          <li><a href="#/tcp/routers" data-nav="tcp/routers">Routers</a></li>
          <li><a href="#/tcp/services" data-nav="tcp/services">Services</a></li>
          <li><a href="#/tcp/middlewares" data-nav="tcp/middlewares">Middlewares</a></li>
        </ul>
      </li>
      <li class="group" data-proto="udp" hidden><span class="group-label" id="nav-udp">UDP</span>
        <ul aria-labelledby="nav-udp">
          <li><a href="#/udp/routers" data-nav="udp/routers">Routers</a></li>
          <li><a href="#/udp/services" data-nav="udp/services">Services</a></li>
        </ul>
      </li>
    </ul>
  </nav>
</header>
<div class="banner" id="banner" role="alert" hidden></div>
<main id="main" tabindex="-1"><p class="empty">Loading…</p></main>
<footer class="bottom">
  <span id="version">Berth</span>
  <span id="updated">Not loaded yet</span>
  <span class="spacer"></span>
  <label for="refresh-interval">Auto-refresh</label>
  <select id="refresh-interval">
    <option value="2">every 2 s</option>
    <option value="5" selected>every 5 s</option>
    <option value="15">every 15 s</option>
    <option value="60">every minute</option>
    <option value="0">off</option>
  </select>
  <button type="button" id="refresh-now">Refresh now</button>
</footer>
<noscript><p>The Berth dashboard needs JavaScript. The same information is at <a href="/api/rawdata">/api/rawdata</a>.</p></noscript>
</body>
</html>
`;

/** A small favicon, so the browser does not ask for `/favicon.ico` (which would reach the dashboard's 404). */
export const FAVICON_SVG = String.raw`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0550ae"/><path d="M6 20h20l-3 6H9z M15 6h2v12h-2z M17 7l7 8h-7z" fill="#fff"/></svg>
`;
