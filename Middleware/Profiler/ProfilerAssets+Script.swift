extension ProfilerAssets {
    /// The UI's script. Everything shown comes from requests (paths, headers), so the DOM is built
    /// with `textContent` and attributes only, never `innerHTML` with data.
    static let script = #"""
    "use strict";
    (function () {
      const SVG = "http://www.w3.org/2000/svg";
      const state = { profiles: [], selected: null };
      const $ = (id) => document.getElementById(id);

      function el(tag, attrs, text) {
        const node = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
        if (text !== undefined) node.textContent = String(text);
        return node;
      }
      function svg(tag, attrs) {
        const node = document.createElementNS(SVG, tag);
        for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
        return node;
      }
      function ms(ns) { return (ns / 1e6).toFixed(3); }
      function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
      function showError(message) { const e = $("error"); e.textContent = message; e.hidden = !message; }

      async function getJSON(url) {
        const response = await fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" });
        if (!response.ok) throw new Error(url + ": " + response.status + " " + response.statusText);
        return response.json();
      }

      function filtered() {
        const path = $("filter-path").value.trim();
        const status = $("filter-status").value;
        const slower = parseFloat($("filter-duration").value);
        return state.profiles.filter((p) =>
          (!path || p.path.includes(path)) &&
          (!status || String(p.status).charAt(0) === status) &&
          (isNaN(slower) || p.duration / 1e6 > slower));
      }

      function renderList() {
        const body = $("requests").tBodies[0];
        clear(body);
        const rows = filtered();
        $("count").textContent = rows.length + " of " + state.profiles.length + " requests";
        for (const p of rows) {
          const tr = el("tr", { "data-id": p.id });
          if (p.id === state.selected) tr.className = "selected";
          tr.appendChild(el("td", { class: "num" }, p.id));
          tr.appendChild(el("td", {}, p.method));
          tr.appendChild(el("td", {}, p.target));
          tr.appendChild(el("td", { class: "num s" + String(p.status).charAt(0) }, p.status));
          tr.appendChild(el("td", { class: "num" }, ms(p.duration)));
          tr.appendChild(el("td", { class: "num" }, p.responseSize === undefined ? "" : p.responseSize + " B"));
          tr.appendChild(el("td", {}, new Date(p.startedAt).toLocaleTimeString()));
          tr.addEventListener("click", () => { location.hash = "#/profile/" + p.id; });
          body.appendChild(tr);
        }
      }

      function drawChart(profile) {
        const box = $("chart-box");
        clear(box);
        const frames = profile.frames;
        const total = Math.max(profile.duration, 1);
        const maxDepth = frames.reduce((m, f) => Math.max(m, f.depth), 0);
        const width = Math.max(box.clientWidth - 2, 600), row = 20, top = 18;
        const height = top + (maxDepth + 1) * row + 4;
        const chart = svg("svg", { id: "chart", width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img" });
        const x = (t) => (t / total) * (width - 2) + 1;
        for (let i = 0; i <= 4; i++) {
          const label = svg("text", { x: Math.min(x(total * i / 4) + 2, width - 60), y: 12, class: "axis" });
          label.textContent = ms(total * i / 4) + " ms";
          chart.appendChild(label);
        }
        frames.forEach((f, index) => {
          const g = svg("g", { class: "frame-group", "data-index": index });
          const w = Math.max(x(f.end) - x(f.start), 1);
          const rect = svg("rect", { class: "frame " + f.kind + (f.failed ? " failed" : ""), x: x(f.start),
                                     y: top + f.depth * row, width: w, height: row - 2, "data-name": f.name });
          const title = svg("title", {});
          title.textContent = f.name + " (" + f.kind + "): total " + ms(f.end - f.start) + " ms, self " + ms(f.self) + " ms" +
            (f.failed ? ", failed" : "") + (f.unfinished ? ", unfinished" : "");
          rect.appendChild(title);
          g.appendChild(rect);
          if (w > 40) {
            const text = svg("text", { x: x(f.start) + 3, y: top + f.depth * row + 13 });
            const chars = Math.floor((w - 6) / 6.5);
            text.textContent = f.name.length > chars ? f.name.slice(0, Math.max(chars - 1, 1)) + "…" : f.name;
            g.appendChild(text);
          }
          chart.appendChild(g);
        });
        for (const e of profile.events) {
          const line = svg("line", { class: "event", x1: x(e.at), x2: x(e.at), y1: top, y2: height });
          const title = svg("title", {});
          title.textContent = e.name + " at " + ms(e.at) + " ms";
          line.appendChild(title);
          chart.appendChild(line);
        }
        box.appendChild(chart);
      }

      function fillPairs(table, pairs) {
        const body = table.tBodies[0];
        clear(body);
        for (const [name, value] of pairs) {
          const tr = el("tr");
          tr.appendChild(el("th", {}, name));
          tr.appendChild(el("td", {}, value));
          body.appendChild(tr);
        }
      }

      async function showProfile(id) {
        state.selected = id;
        renderList();
        try {
          const p = await getJSON("api/profiles/" + encodeURIComponent(id));
          $("detail").hidden = false;
          $("detail-title").textContent = p.name + " — " + p.method + " " + p.target;
          $("detail-meta").textContent = "status " + p.status + " · " + ms(p.duration) + " ms · " +
            (p.requestSize === undefined ? "no request body" : p.requestSize + " B in") + " · " +
            (p.responseSize === undefined ? "" : p.responseSize + " B out") +
            (p.errorType ? " · threw " + p.errorType : "") + (p.droppedFrames ? " · " + p.droppedFrames + " frames dropped" : "");
          drawChart(p);
          const frames = $("frames").tBodies[0];
          clear(frames);
          for (const f of p.frames) {
            const tr = el("tr");
            const name = el("td", {}, "\u00a0".repeat(f.depth * 2) + f.name);
            tr.appendChild(name);
            tr.appendChild(el("td", {}, f.kind + (f.failed ? " (failed)" : "")));
            tr.appendChild(el("td", { class: "num" }, ms(f.self)));
            tr.appendChild(el("td", { class: "num" }, ms(f.end - f.start)));
            frames.appendChild(tr);
          }
          fillPairs($("attributes"), p.attributes);
          fillPairs($("marks"), p.counters.map(([n, v]) => [n, String(v)]).concat(p.events.map((e) => [e.name, "event at " + ms(e.at) + " ms"])));
          fillPairs($("request-headers"), p.requestHeaders);
          fillPairs($("response-headers"), p.responseHeaders);
          const downloads = $("downloads");
          clear(downloads);
          downloads.appendChild(el("a", { href: "profiles/" + p.id + ".trace.json", download: "" }, "Chrome trace (Perfetto)"));
          downloads.appendChild(document.createTextNode(" · "));
          downloads.appendChild(el("a", { href: "profiles/" + p.id + ".speedscope.json", download: "" }, "speedscope"));
          showError("");
        } catch (error) {
          showError(String(error.message || error));
        }
      }

      async function loadList() {
        try {
          state.profiles = await getJSON("api/profiles");
          renderList();
          showError("");
        } catch (error) {
          showError(String(error.message || error));
        }
      }

      async function loadRoutes() {
        const box = $("routes");
        clear(box);
        try {
          const routes = await getJSON("api/routes");
          for (const r of routes) {
            const section = el("div", { class: "route" });
            section.appendChild(el("h2", {}, r.route + " (" + r.count + " requests)"));
            const table = el("table");
            const head = el("tr");
            for (const h of ["Layer or span", "Kind", "Requests", "p50 (ms)", "p95 (ms)", "p99 (ms)"]) head.appendChild(el("th", {}, h));
            table.appendChild(el("thead")).appendChild(head);
            const body = table.appendChild(el("tbody"));
            const rows = [{ name: "whole request", kind: "request", count: r.count, self: r.total }].concat(r.layers);
            for (const l of rows) {
              const tr = el("tr");
              tr.appendChild(el("td", {}, l.name));
              tr.appendChild(el("td", {}, l.kind));
              tr.appendChild(el("td", { class: "num" }, l.count));
              for (const q of ["p50", "p95", "p99"]) tr.appendChild(el("td", { class: "num" }, ms(l.self[q])));
              body.appendChild(tr);
            }
            section.appendChild(table);
            box.appendChild(section);
          }
          showError("");
        } catch (error) {
          showError(String(error.message || error));
        }
      }

      function route() {
        const match = /^#\/profile\/(\d+)$/.exec(location.hash);
        if (match) showProfile(Number(match[1]));
      }

      function tab(name) {
        $("requests-view").hidden = name !== "requests";
        $("routes-view").hidden = name !== "routes";
        $("show-requests").classList.toggle("active", name === "requests");
        $("show-routes").classList.toggle("active", name === "routes");
        if (name === "routes") loadRoutes();
      }

      $("show-requests").addEventListener("click", () => tab("requests"));
      $("show-routes").addEventListener("click", () => tab("routes"));
      $("refresh").addEventListener("click", () => { loadList(); if (!$("routes-view").hidden) loadRoutes(); });
      $("filters").addEventListener("input", renderList);
      $("filters").addEventListener("submit", (event) => event.preventDefault());
      window.addEventListener("hashchange", route);
      loadList().then(route);
    })();
    """#
}
