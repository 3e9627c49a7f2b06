/**
 * The stylesheet of `GET /api/docs`, a constant so the page's
 * `Content-Security-Policy` can allow exactly it by hash (no files: the core
 * reads none).
 *
 * @module
 */

/** The page's CSS: system fonts, light and dark, readable tables. */
export const API_DOCS_STYLE = `
:root { color-scheme: light dark; --line: #8884; --muted: #595959; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; } }
body { font: 15px/1.5 system-ui, sans-serif; max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem; }
h1 { margin-bottom: 0.2rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3 { margin: 2rem 0 0.3rem; font-size: 1.05rem; }
h4 { margin: 1rem 0 0.3rem; font-size: 0.95rem; }
code { font: 0.9em ui-monospace, monospace; }
nav ul { list-style: none; padding-left: 1rem; }
nav > ul { padding-left: 0; }
nav li { margin: 0.15rem 0; }
a { color: inherit; text-decoration-color: var(--muted); }
article { border-left: 3px solid var(--line); padding-left: 1rem; }
table { border-collapse: collapse; width: 100%; margin: 0.3rem 0; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { font-weight: 600; }
.note { color: var(--muted); font-size: 0.9em; }
.summary { font-weight: 600; margin: 0.2rem 0; }
.status { font-weight: 600; white-space: nowrap; }
.media { margin: 0.3rem 0; }
.schema table { font-size: 0.95em; }
.method { display: inline-block; min-width: 4.2em; text-align: center; border-radius: 3px;
  font: 600 0.8em ui-monospace, monospace; padding: 0.1em 0.3em; color: #fff; background: #666; }
.method.get { background: #2a6f97; }
.method.put { background: #7a5c00; }
.method.post { background: #2d7d46; }
.method.delete { background: #a23b3b; }
`;
