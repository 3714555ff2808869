/* ona interactive network view: a canvas renderer with no dependencies (BSD-3-Clause, part of
 * ona). The data sits in the <script class="onv-data"> element beside this script; positions
 * are computed in Python with a seed, so the picture is the same every time. */
(function () {
  "use strict";
  var root = document.currentScript.parentElement;
  var data = JSON.parse(root.querySelector(".onv-data").textContent);
  if (!document.getElementById("onv-style")) {
    var css = document.createElement("style");
    css.id = "onv-style";
    css.textContent =
      ".ona-network{margin:1em 0}.onv-bar{display:flex;flex-wrap:wrap;gap:.4em;align-items:center;" +
      "font-size:.85em;margin-bottom:.4em}.onv-bar select,.onv-bar button{font:inherit;padding:.1em .3em}" +
      ".onv-stage{position:relative;height:var(--h);border:1px solid #ddd;background:#fff;cursor:grab}" +
      ".onv-stage canvas{width:100%;height:100%;display:block}" +
      ".onv-tip{position:absolute;pointer-events:none;background:rgba(255,255,255,.96);border:1px solid #bbb;" +
      "padding:.35em .55em;font-size:.8em;max-width:22em;box-shadow:0 1px 4px rgba(0,0,0,.15)}" +
      ".onv-legend{display:flex;flex-wrap:wrap;gap:.3em .9em;font-size:.8em;margin-top:.4em}" +
      ".onv-legend span{cursor:pointer}.onv-legend i{display:inline-block;width:.8em;height:.8em;" +
      "border-radius:50%;margin-right:.3em;vertical-align:-.05em}.onv-note{color:#555;font-size:.8em}";
    document.head.appendChild(css);
  }
  var nodes = data.nodes, N = nodes.length, isGroup = data.level === "group";
  var canvas = root.querySelector("canvas"), stage = root.querySelector(".onv-stage");
  var tip = root.querySelector(".onv-tip"), ctx = canvas.getContext("2d");
  var state = { colour: "", team: "", channel: -1, period: -1, brokers: false, silos: false,
                hover: -1, selected: -1 };
  var view = { scale: 1, x: 0, y: 0 };
  var ties = [], tieOf = [], strength = new Float64Array(N);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function select(label, options, onchange) {
    var s = el("select", { "aria-label": label });
    s.appendChild(el("option", { value: "" }, label));
    options.forEach(function (o) { s.appendChild(el("option", { value: o[0] }, o[1])); });
    s.addEventListener("change", function () { onchange(s.value); });
    return s;
  }
  function uniq(values) { return values.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(); }

  // -- the filter bar -------------------------------------------------------------------------
  var bar = root.querySelector(".onv-bar");
  var colourNames = Object.keys(data.colours).sort();
  var colourSel = select("All " + (data.colour_by || "groups") + "s",
    colourNames.map(function (c) { return [c, c]; }), function (v) { state.colour = v; refresh(); });
  var teams = isGroup ? nodes.map(function (n) { return n.label; }).sort()
                      : uniq(nodes.map(function (n) { return n.team; }));
  var teamSel = select("All " + data.groups + "s", teams.map(function (t) { return [t, t]; }),
    function (v) { state.team = v; focusTeam(); refresh(); });
  var chanSel = select("All channels", data.channels.map(function (c, i) { return [i, c]; }),
    function (v) { state.channel = v === "" ? -1 : +v; computeTies(); refresh(); });
  var perSel = select("All " + data.period_unit + "s", data.periods.map(function (p, i) { return [i, p]; }),
    function (v) { state.period = v === "" ? -1 : +v; computeTies(); refresh(); });
  [colourSel, teamSel, chanSel, perSel].forEach(function (s) { bar.appendChild(s); });
  if (data.periods.length < 2) perSel.disabled = true;
  function toggle(label, key) {
    var l = el("label", {}), c = el("input", { type: "checkbox" });
    c.addEventListener("change", function () { state[key] = c.checked; refresh(); });
    l.appendChild(c); l.appendChild(document.createTextNode(" " + label));
    bar.appendChild(l);
  }
  toggle("highlight brokers", "brokers");
  if (data.silo_pairs.length) toggle("highlight silos", "silos");
  var reset = el("button", { type: "button" }, "Reset view");
  reset.addEventListener("click", function () { state.selected = -1; fit(); refresh(); });
  bar.appendChild(reset);

  var legend = root.querySelector(".onv-legend");
  colourNames.forEach(function (c) {
    var s = el("span", { title: "show only " + c }), dot = el("i", {});
    dot.style.background = data.colours[c];
    s.appendChild(dot); s.appendChild(document.createTextNode(c));
    s.addEventListener("click", function () {
      state.colour = state.colour === c ? "" : c; colourSel.value = state.colour; refresh();
    });
    legend.appendChild(s);
  });

  // -- ties under the channel and period filters ---------------------------------------------
  function computeTies() {
    var sum = new Map();
    data.edges.forEach(function (e) {
      if ((state.channel >= 0 && e[2] !== state.channel) || (state.period >= 0 && e[3] !== state.period)) return;
      var a = Math.min(e[0], e[1]), b = Math.max(e[0], e[1]), k = a * N + b;
      sum.set(k, (sum.get(k) || 0) + e[4]);
    });
    ties = []; tieOf = []; strength = new Float64Array(N);
    for (var i = 0; i < N; i++) tieOf.push([]);
    sum.forEach(function (w, k) {
      var a = Math.floor(k / N), b = k - a * N, t = [a, b, w];
      ties.push(t); tieOf[a].push(t); tieOf[b].push(t);
      strength[a] += w; strength[b] += w;
    });
    ties.sort(function (p, q) { return q[2] - p[2]; });
    maxTie = ties.length ? ties[0][2] : 1;
  }
  var maxTie = 1;

  // -- geometry -------------------------------------------------------------------------------
  var W = 0, H = 0, ratio = window.devicePixelRatio || 1;
  function resize() {
    W = stage.clientWidth; H = stage.clientHeight;
    canvas.width = Math.round(W * ratio); canvas.height = Math.round(H * ratio);
  }
  function fit() {
    var spanX = 0, spanY = 0;
    nodes.forEach(function (n) { spanX = Math.max(spanX, Math.abs(n.x)); spanY = Math.max(spanY, Math.abs(n.y)); });
    view.scale = Math.min(0.46 * W / (spanX || 1), 0.44 * H / (spanY || 1)); view.x = W / 2; view.y = H / 2;
  }
  function sx(n) { return view.x + n.x * view.scale; }
  function sy(n) { return view.y - n.y * view.scale; }
  var maxSize = Math.max.apply(null, nodes.map(function (n) { return n.size; }).concat([1]));
  function radius(i) {
    var n = nodes[i], zoom = Math.sqrt(view.scale / (0.45 * Math.min(W, H) || 1));
    if (isGroup) return (4 + 22 * Math.sqrt(n.size / maxSize)) * Math.max(zoom, 0.6);
    return (1.5 + Math.min(6, Math.sqrt(strength[i]) / 3)) * Math.max(zoom, 0.7);
  }
  function focusTeam() {
    if (!state.team) { state.selected = -1; return; }
    var members = [];
    nodes.forEach(function (n, i) { if ((isGroup ? n.label : n.team) === state.team) members.push(i); });
    if (!members.length) return;
    state.selected = isGroup ? members[0] : -1;
    var cx = 0, cy = 0;
    members.forEach(function (i) { cx += nodes[i].x; cy += nodes[i].y; });
    cx /= members.length; cy /= members.length;
    view.scale = Math.max(view.scale, 1.2 * Math.min(W, H));
    view.x = W / 2 - cx * view.scale; view.y = H / 2 + cy * view.scale;
  }

  // -- drawing --------------------------------------------------------------------------------
  function inColour(i) { return !state.colour || nodes[i].colour === state.colour; }
  function inTeam(i) { return !state.team || (isGroup ? nodes[i].label : nodes[i].team) === state.team; }
  function silo(i) {
    return data.silo_pairs.some(function (p) { return p.indexOf(nodes[i].colour) >= 0; });
  }
  function siloTie(t) {
    var a = nodes[t[0]].colour, b = nodes[t[1]].colour;
    return data.silo_pairs.some(function (p) { return (p[0] === a && p[1] === b) || (p[0] === b && p[1] === a); });
  }
  var frame = 0;
  function refresh() { if (!frame) frame = requestAnimationFrame(draw); }
  function draw() {
    frame = 0;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, W, H);
    var focus = state.hover >= 0 ? state.hover : state.selected;
    var budget = isGroup ? ties.length : Math.min(ties.length, data.edge_budget);
    ctx.lineCap = "round";
    for (var k = 0; k < budget; k++) drawTie(ties[k], false);
    if (focus >= 0) tieOf[focus].forEach(function (t) { drawTie(t, true); });
    if (state.silos) ties.forEach(function (t) { if (siloTie(t)) drawTie(t, "silo"); });
    for (var i = 0; i < N; i++) drawNode(i, i === focus);
    if (isGroup) drawLabels(focus);
  }
  function drawTie(t, strong) {
    var a = nodes[t[0]], b = nodes[t[1]];
    var shown = (inColour(t[0]) || inColour(t[1])) && (inTeam(t[0]) || inTeam(t[1]));
    if (!shown && !strong) return;
    var w = Math.log1p(t[2]) / Math.log1p(maxTie);
    ctx.beginPath(); ctx.moveTo(sx(a), sy(a)); ctx.lineTo(sx(b), sy(b));
    ctx.setLineDash(strong === "silo" ? [6, 4] : []);
    ctx.strokeStyle = strong === "silo" ? "rgba(200,30,30,.9)" : strong ? "rgba(30,30,30,.75)"
      : "rgba(120,120,120," + (state.colour || state.team ? 0.35 : 0.18) + ")";
    ctx.lineWidth = (isGroup ? 0.5 + 7 * w : 0.3 + 2 * w) * (strong ? 1.3 : 1);
    ctx.stroke(); ctx.setLineDash([]);
  }
  function drawNode(i, focused) {
    var n = nodes[i], r = radius(i), dim = !(inColour(i) && inTeam(i));
    ctx.globalAlpha = dim && !focused ? 0.15 : 1;
    ctx.beginPath(); ctx.arc(sx(n), sy(n), r, 0, 2 * Math.PI);
    ctx.fillStyle = data.colours[n.colour] || "#999"; ctx.fill();
    ctx.lineWidth = focused ? 2.5 : 1; ctx.strokeStyle = focused ? "#111" : "#fff"; ctx.stroke();
    if (state.brokers && n.brokers > 0) {
      ctx.beginPath(); ctx.arc(sx(n), sy(n), r + 3, 0, 2 * Math.PI);
      ctx.lineWidth = 2; ctx.strokeStyle = "#111"; ctx.stroke();
    }
    if (state.silos && silo(i)) {
      ctx.beginPath(); ctx.arc(sx(n), sy(n), r + (state.brokers && n.brokers ? 6 : 3), 0, 2 * Math.PI);
      ctx.lineWidth = 2; ctx.strokeStyle = "rgba(200,30,30,.9)"; ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }
  function drawLabels(focus) {
    ctx.font = "11px system-ui,sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    for (var i = 0; i < N; i++) {
      var r = radius(i);
      if ((r < 11 && i !== focus) || !(inColour(i) && inTeam(i)) && i !== focus) continue;
      var n = nodes[i];
      ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,.85)";
      ctx.strokeText(n.label, sx(n), sy(n) + r + 9);
      ctx.fillStyle = "#222"; ctx.fillText(n.label, sx(n), sy(n) + r + 9);
    }
  }

  // -- hover, click, pan, zoom ----------------------------------------------------------------
  function nodeAt(px, py) {
    var best = -1, bestD = Infinity;
    for (var i = 0; i < N; i++) {
      var dx = sx(nodes[i]) - px, dy = sy(nodes[i]) - py, d = dx * dx + dy * dy, r = radius(i) + 3;
      if (d < r * r && d < bestD) { best = i; bestD = d; }
    }
    return best;
  }
  function fmt(x) { return Math.round(x).toLocaleString("en"); }
  function showTip(i, px, py) {
    if (i < 0) { tip.hidden = true; return; }
    var n = nodes[i], partners = tieOf[i].map(function (t) { return [t[0] === i ? t[1] : t[0], t[2]]; })
      .sort(function (a, b) { return b[1] - a[1]; });
    tip.textContent = "";
    tip.appendChild(el("strong", {}, n.label));
    var lines = [data.colour_by + ": " + n.colour];
    if (isGroup) lines.push(fmt(n.size) + " people; " + fmt(n.internal) + " interactions within");
    else lines.push(data.groups + ": " + n.team);
    lines.push(fmt(partners.length) + " " + (isGroup ? "groups" : "people") + " tied, " +
               fmt(strength[i]) + " interactions (current filters)");
    if (n.brokers) lines.push(isGroup ? n.brokers + " broker(s) in this group" : "a broker");
    partners.slice(0, 5).forEach(function (p) { lines.push("  " + nodes[p[0]].label + ": " + fmt(p[1])); });
    lines.forEach(function (l) { tip.appendChild(el("div", {}, l)); });
    tip.hidden = false;
    tip.style.left = Math.min(px + 14, W - 260) + "px"; tip.style.top = Math.min(py + 14, H - 120) + "px";
  }
  var drag = null;
  canvas.addEventListener("mousedown", function (e) { drag = { x: e.offsetX, y: e.offsetY, moved: false }; stage.style.cursor = "grabbing"; });
  window.addEventListener("mouseup", function () { stage.style.cursor = "grab"; setTimeout(function () { drag = null; }, 0); });
  canvas.addEventListener("mousemove", function (e) {
    if (drag && e.buttons) {
      view.x += e.offsetX - drag.x; view.y += e.offsetY - drag.y;
      drag.moved = drag.moved || Math.abs(e.offsetX - drag.x) + Math.abs(e.offsetY - drag.y) > 2;
      drag.x = e.offsetX; drag.y = e.offsetY; tip.hidden = true; refresh(); return;
    }
    var i = nodeAt(e.offsetX, e.offsetY);
    if (i !== state.hover) { state.hover = i; refresh(); }
    showTip(i, e.offsetX, e.offsetY);
  });
  canvas.addEventListener("mouseleave", function () { state.hover = -1; tip.hidden = true; refresh(); });
  canvas.addEventListener("click", function (e) {
    if (drag && drag.moved) return;
    var i = nodeAt(e.offsetX, e.offsetY);
    state.selected = i === state.selected ? -1 : i; refresh();
  });
  canvas.addEventListener("wheel", function (e) {
    e.preventDefault();
    var f = Math.exp(-e.deltaY * 0.0015);
    view.x = e.offsetX - (e.offsetX - view.x) * f; view.y = e.offsetY - (e.offsetY - view.y) * f;
    view.scale *= f; refresh();
  }, { passive: false });
  window.addEventListener("resize", function () { resize(); fit(); refresh(); });

  resize(); fit(); computeTies(); draw();
  root.setAttribute("data-rendered", "true");
})();
