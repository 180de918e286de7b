/**
 * The dashboard's stylesheet. Colours follow `prefers-color-scheme`; status is never shown by colour alone
 * (every badge carries a word and a symbol); below 40rem tables become stacked cards, each cell labelled.
 * No inline styles anywhere: the Content-Security-Policy allows styles from 'self' only.
 */
export const STYLE_CSS = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f6f8fa; --fg: #1f2328; --muted: #59636e; --card: #ffffff; --border: #d1d9e0; --accent: #0550ae;
  --ok: #116329; --ok-bg: #dafbe1; --warn: #6c4400; --warn-bg: #fff5c2; --err: #a40e26; --err-bg: #ffebe9;
  --focus: #0969da; --code-bg: #eff2f5;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --card: #151b23; --border: #3d444d; --accent: #71b7ff;
    --ok: #56d364; --ok-bg: #0f2a1a; --warn: #e3b341; --warn-bg: #2e2410; --err: #ff7b72; --err-bg: #3a1518;
    --focus: #4493f8; --code-bg: #1f2630;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
/* Headings take focus only programmatically, after navigation, to move screen readers; no ring there. */
[tabindex="-1"]:focus { outline: none; }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 0; overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; }
code { background: var(--code-bg); padding: .05em .3em; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--code-bg); padding: .75rem; border-radius: 6px; overflow: auto; max-height: 30rem; }
pre code { background: none; padding: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: .5rem; top: -3rem; z-index: 10; padding: .5rem .75rem; background: var(--card); color: var(--fg);
  border: 1px solid var(--border); border-radius: 6px; font: inherit; }
.skip:focus { top: .5rem; }

.top { background: var(--card); border-bottom: 1px solid var(--border); padding: .5rem 1rem; display: flex; flex-wrap: wrap;
  align-items: center; gap: .5rem 1.5rem; }
.brand { font-weight: 700; font-size: 1.15rem; color: var(--fg); text-decoration: none; }
.nav, .nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; align-items: center; gap: .25rem; }
.nav > li.group { display: flex; align-items: center; gap: .25rem; padding-left: .5rem; border-left: 1px solid var(--border); }
.group-label { font-size: .75rem; font-weight: 700; color: var(--muted); letter-spacing: .05em; }
.nav a { display: inline-block; padding: .3rem .55rem; border-radius: 6px; text-decoration: none; color: var(--fg); }
.nav a:hover { background: var(--code-bg); }
.nav a[aria-current="page"] { background: var(--accent); color: var(--card); }
.nav a.problems-link { font-weight: 600; }
.count { display: inline-block; min-width: 1.4em; margin-left: .3rem; padding: 0 .35rem; border-radius: 1em; text-align: center;
  background: var(--err); color: var(--card); font-size: .8rem; font-weight: 700; }

.banner { margin: .75rem 1rem 0; padding: .6rem .9rem; border-radius: 6px; border: 1px solid var(--err); background: var(--err-bg); color: var(--fg); }
main { flex: 1; width: 100%; max-width: 80rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
.bottom { border-top: 1px solid var(--border); background: var(--card); padding: .5rem 1rem; display: flex; flex-wrap: wrap;
  gap: .5rem 1rem; align-items: center; color: var(--muted); font-size: .9rem; }
.bottom .spacer { flex: 1; }
select, input, button { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--border); border-radius: 6px; padding: .3rem .5rem; }
button { cursor: pointer; }
button:hover { background: var(--code-bg); }

.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; margin-bottom: .75rem; }
.field { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; color: var(--muted); }
.field input { min-width: 16rem; }
.summary { color: var(--muted); margin: .25rem 0 .5rem; }
.pager { display: flex; gap: 1rem; align-items: center; margin-top: .75rem; }

.table-wrap { overflow-x: auto; border: 1px solid var(--border); border-radius: 8px; background: var(--card); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem .65rem; border-bottom: 1px solid var(--border); overflow-wrap: anywhere; }
thead th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
tbody tr:last-child > * { border-bottom: none; }
tr.row-disabled { background: var(--err-bg); }
tr.row-warning { background: var(--warn-bg); }
.note { display: block; font-size: .85rem; color: var(--muted); }

.badge { display: inline-flex; align-items: center; gap: .3em; padding: .05rem .5rem; border-radius: 1em; font-size: .82rem; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.badge.st-enabled, .badge.srv-up { color: var(--ok); background: var(--ok-bg); }
.badge.st-warning { color: var(--warn); background: var(--warn-bg); }
.badge.st-disabled, .badge.srv-down { color: var(--err); background: var(--err-bg); }
.badge.srv-unknown { color: var(--muted); }

.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .75rem; }
.card, .panel { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: .9rem 1rem; }
.card .total { font-size: 2rem; font-weight: 700; margin: .25rem 0; }
.card ul { list-style: none; padding: 0; margin: 0; display: grid; gap: .15rem; }
.card .n { font-weight: 700; }
.callout { overflow-wrap: anywhere; border-radius: 8px; padding: .9rem 1rem; margin-bottom: 1rem; border: 2px solid var(--err); background: var(--err-bg); }
.callout.ok { border-color: var(--ok); background: var(--ok-bg); }
.callout p { margin: 0; }

.panel { margin-top: 1rem; }
.panel > h2 { margin-top: 0; }
dl.props { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .35rem 1rem; margin: 0; }
dl.props dt { color: var(--muted); }
dl.props dd { margin: 0; overflow-wrap: anywhere; }
dl.tree { margin: 0; padding-left: .75rem; border-left: 2px solid var(--border); }
dl.tree dt { font-weight: 600; }
dl.tree dd { margin: 0 0 .35rem .5rem; overflow-wrap: anywhere; }
ol.chain, ul.plain { margin: 0; padding-left: 1.4rem; display: grid; gap: .35rem; }
.inline-list { display: inline; margin: 0; padding: 0; list-style: none; }
.inline-list li { display: inline; }
.inline-list li + li::before { content: ", "; }
.crumbs { font-size: .9rem; margin-bottom: .25rem; }
.kind { color: var(--muted); font-weight: 400; font-size: .9rem; display: block; }

ul.issues { list-style: none; margin: .5rem 0 0; padding: 0; display: grid; gap: .5rem; }
.issue { overflow-wrap: anywhere; border-left: 4px solid var(--err); padding: .35rem .75rem; background: var(--card); border-radius: 0 6px 6px 0; }
.issue.sev-warning { border-left-color: var(--warn); }
.issue .sev { font-weight: 700; margin-right: .4rem; }
.issue.sev-error .sev { color: var(--err); }
.issue.sev-warning .sev { color: var(--warn); }
.issue .meta { display: block; font-size: .88rem; color: var(--muted); margin-top: .15rem; }
.problem-box { border: 2px solid var(--err); background: var(--err-bg); border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1rem; }
.problem-box.warn { border-color: var(--warn); background: var(--warn-bg); }
.problem-box h2 { margin: 0; }
.problem { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: .75rem 1rem; margin-bottom: .75rem; }
.problem header { display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; }
.problem .provider { color: var(--muted); font-size: .88rem; }
details.raw { margin-top: 1rem; }
details.raw summary { cursor: pointer; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }

@media (max-width: 40rem) {
  .field input { min-width: 0; width: 100%; }
  .filters .field { flex: 1 1 100%; }
  table, thead, tbody, tr, th, td { display: block; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  tbody tr { border-bottom: 1px solid var(--border); padding: .4rem 0; }
  tbody tr:last-child { border-bottom: none; }
  th, td { border: none; padding: .2rem .75rem; }
  td[data-label]::before, th[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  dl.props { grid-template-columns: 1fr; gap: .1rem; }
  dl.props dd { margin-bottom: .4rem; }
}
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
`;
