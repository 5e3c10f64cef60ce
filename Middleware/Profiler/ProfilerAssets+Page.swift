/// The UI's page and style, served by the middleware itself (no CDN; works offline).
enum ProfilerAssets {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Werk profiler</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="app.css">
    </head>
    <body>
    <header>
      <h1>Werk profiler</h1>
      <nav>
        <button id="show-requests" type="button" class="tab active">Requests</button>
        <button id="show-routes" type="button" class="tab">Routes</button>
        <button id="refresh" type="button">Refresh</button>
      </nav>
    </header>
    <main>
      <section id="requests-view">
        <form id="filters">
          <label>Path <input id="filter-path" type="search" placeholder="contains…"></label>
          <label>Status
            <select id="filter-status">
              <option value="">any</option><option value="2">2xx</option><option value="3">3xx</option>
              <option value="4">4xx</option><option value="5">5xx</option>
            </select>
          </label>
          <label>Slower than <input id="filter-duration" type="number" min="0" step="0.1" placeholder="ms"> ms</label>
          <span id="count"></span>
        </form>
        <table id="requests">
          <thead><tr><th>#</th><th>Method</th><th>Path</th><th>Status</th><th>Time (ms)</th><th>Response</th><th>When</th></tr></thead>
          <tbody></tbody>
        </table>
        <section id="detail" hidden>
          <h2 id="detail-title"></h2>
          <p id="detail-meta"></p>
          <div id="chart-box"></div>
          <div class="columns">
            <div><h3>Frames</h3><table id="frames"><thead><tr><th>Name</th><th>Kind</th><th>Self (ms)</th><th>Total (ms)</th></tr></thead><tbody></tbody></table></div>
            <div><h3>Attributes</h3><table id="attributes"><tbody></tbody></table>
              <h3>Counters and events</h3><table id="marks"><tbody></tbody></table></div>
          </div>
          <div class="columns">
            <div><h3>Request headers</h3><table id="request-headers"><tbody></tbody></table></div>
            <div><h3>Response headers</h3><table id="response-headers"><tbody></tbody></table></div>
          </div>
          <p id="downloads"></p>
        </section>
      </section>
      <section id="routes-view" hidden>
        <p class="hint">Percentiles over the profiles in memory: the request's total, then each layer's and span's own time.</p>
        <div id="routes"></div>
      </section>
      <p id="error" role="alert" hidden></p>
    </main>
    <script src="app.js"></script>
    </body>
    </html>
    """#

    static let style = #"""
    :root { color-scheme: light dark; --fg: #1b1f27; --bg: #fbfbfd; --muted: #667; --line: #dde;
            --layer: #5b8def; --span: #e8a33d; --request: #7a869a; --body: #4fb38a; --failed: #d9534f; }
    @media (prefers-color-scheme: dark) { :root { --fg: #e6e9f0; --bg: #161a22; --muted: #99a; --line: #2c3340; } }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
    header { display: flex; align-items: center; gap: 24px; padding: 8px 16px; border-bottom: 1px solid var(--line); }
    h1 { font-size: 18px; margin: 0; }
    h2 { font-size: 16px; margin: 16px 0 4px; word-break: break-all; }
    h3 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; }
    main { padding: 8px 16px 32px; }
    button { font: inherit; padding: 2px 10px; border: 1px solid var(--line); background: transparent; color: inherit; border-radius: 4px; cursor: pointer; }
    button.active { background: var(--layer); color: #fff; border-color: var(--layer); }
    form { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 8px 0; }
    input, select { font: inherit; padding: 1px 4px; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    td { word-break: break-all; }
    th { font-weight: 600; color: var(--muted); }
    #requests tbody tr { cursor: pointer; }
    #requests tbody tr:hover, #requests tbody tr.selected { background: rgba(91, 141, 239, .15); }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .s5 { color: var(--failed); font-weight: 600; }
    .s4 { color: var(--span); }
    .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
    #chart-box { overflow-x: auto; border: 1px solid var(--line); border-radius: 4px; }
    svg text { font: 11px system-ui, sans-serif; fill: #fff; pointer-events: none; }
    svg rect.frame { stroke: var(--bg); stroke-width: 1; }
    svg rect.layer { fill: var(--layer); } svg rect.span { fill: var(--span); }
    svg rect.request { fill: var(--request); } svg rect.body { fill: var(--body); }
    svg rect.failed { fill: var(--failed); }
    svg line.event { stroke: var(--fg); stroke-dasharray: 2 2; }
    svg text.axis { fill: var(--muted); }
    .hint, #count, #detail-meta { color: var(--muted); }
    #error { color: var(--failed); }
    .route { margin-bottom: 20px; }
    """#
}
