/* kinetic report: seeking, the playhead, the rep chooser of the chain, and the plots (inline SVG).
   Vanilla JS, no external resources. Data: the JSON in #kinetic-data (times on the replay's clock). */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kinetic-data").textContent);
  var video = document.getElementById("replay");
  var duration = D.duration || (D.t.length ? D.t[D.t.length - 1] : 1) || 1;
  var plots = [];

  function clamp(x, a, b) { return Math.max(a, Math.min(b, x)); }
  function now() { return video ? video.currentTime : lastT; }
  var lastT = 0;

  /* ---- seeking ---- */
  function seek(t) {
    t = clamp(t, 0, duration);
    lastT = t;
    if (video) {
      var go = function () { video.currentTime = t; };
      if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
      var r = video.getBoundingClientRect();
      if (r.bottom < 40 || r.top > window.innerHeight - 40) video.scrollIntoView({ behavior: "smooth", block: "center" });
    }
    update(t);
  }
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-seek]") : null;
    if (el) {
      e.preventDefault();
      seek(parseFloat(el.getAttribute("data-seek")));
      // The chain follows a rep or a warning the user picked.
      var rep = el.getAttribute("data-rep");
      var f = el.getAttribute("data-fault");
      if (rep === null && f !== null && D.faults[+f]) rep = String(D.faults[+f].rep);
      if (rep !== null) showChain(rep);
      return;
    }
    var track = e.target.closest ? e.target.closest(".tl-track") : null;
    if (track) {
      var r = track.getBoundingClientRect();
      seek(duration * clamp((e.clientX - r.left) / r.width, 0, 1));
    }
  });

  /* ---- what is under the playhead ---- */
  var playhead = document.querySelector(".tl-playhead");
  function repAt(t) {
    for (var i = 0; i < D.reps.length; i++) if (t >= D.reps[i].start - 1e-3 && t <= D.reps[i].end + 1e-3) return D.reps[i].index;
    return 0;
  }
  function mark(sel, on) {
    var els = document.querySelectorAll(sel.all);
    for (var i = 0; i < els.length; i++) els[i].classList.toggle("active", on(els[i]));
  }
  var lastRep = -1, lastFaultKey = "";
  function update(t) {
    if (playhead) playhead.style.left = (100 * clamp(t / duration, 0, 1)) + "%";
    var rep = repAt(t);
    if (rep !== lastRep) {
      lastRep = rep;
      mark({ all: "[data-rep]" }, function (el) { return +el.getAttribute("data-rep") === rep; });
    }
    var key = "";
    D.faults.forEach(function (f, i) { if (t >= f.start - 1e-3 && t <= Math.max(f.end, f.start + 1.5)) key += i + ","; });
    if (key !== lastFaultKey) {
      lastFaultKey = key;
      var on = key.split(",");
      mark({ all: "[data-fault]" }, function (el) { return on.indexOf(el.getAttribute("data-fault")) >= 0; });
    }
    for (var i = 0; i < plots.length; i++) plots[i].cursor(t);
  }
  var raf = 0;
  function loop() { update(video.currentTime); raf = video.paused ? 0 : requestAnimationFrame(loop); }
  if (video) {
    video.addEventListener("timeupdate", function () { update(video.currentTime); });
    video.addEventListener("seeked", function () { update(video.currentTime); });
    video.addEventListener("play", function () { if (!raf) raf = requestAnimationFrame(loop); });
  }

  /* ---- the chain's rep chooser ---- */
  function showChain(n) {
    if (!document.querySelector('[data-chain-panel="' + n + '"]')) return;
    var tabs = document.querySelectorAll("[data-chain]");
    for (var i = 0; i < tabs.length; i++) tabs[i].setAttribute("aria-pressed", tabs[i].getAttribute("data-chain") === n ? "true" : "false");
    var panels = document.querySelectorAll("[data-chain-panel]");
    for (var j = 0; j < panels.length; j++) panels[j].hidden = panels[j].getAttribute("data-chain-panel") !== n;
  }
  document.addEventListener("click", function (e) {
    var tab = e.target.closest ? e.target.closest("[data-chain]") : null;
    if (tab) showChain(tab.getAttribute("data-chain"));
  });

  /* ---- plots ---- */
  function niceStep(span, n) {
    var raw = span / Math.max(n, 1), mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < m.length; i++) if (raw <= m[i] * mag) return m[i] * mag;
    return 10 * mag;
  }
  function fmtT(t) { return (Math.round(t * 10) / 10) + " s"; }

  function Plot(fig, spec) {
    this.fig = fig; this.spec = spec; this.area = fig.querySelector(".plot-area"); this.cur = null;
    this.draw();
  }
  function esc(x) { return String(x).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function tag(name, attrs, text) {
    var a = "";
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) a += " " + k + '="' + esc(attrs[k]) + '"';
    return "<" + name + a + (text === undefined ? "/>" : ">" + text + "</" + name + ">");
  }
  Plot.prototype.draw = function () {
    var area = this.area, spec = this.spec, self = this;
    var W = Math.max(area.clientWidth, 200), H = Math.max(area.clientHeight, 120);
    var narrow = W < 420;
    var m = { l: 40, r: narrow ? 8 : 12, t: 16, b: 20 };
    var lo = Infinity, hi = -Infinity;
    spec.lines.forEach(function (ln) { ln.y.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
    var span = isFinite(lo) ? hi - lo : 0;
    spec.limits.forEach(function (l) { if (!isFinite(lo) || (l.y >= lo - 0.6 * span - 5 && l.y <= hi + 0.6 * span + 5)) { lo = Math.min(lo, l.y); hi = Math.max(hi, l.y); } });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-6) { hi += 1; lo -= 1; }
    if (spec.min_span && hi - lo < spec.min_span) { var mid = (hi + lo) / 2; lo = mid - spec.min_span / 2; hi = mid + spec.min_span / 2; }
    var pad = 0.08 * (hi - lo); lo -= pad; hi += pad;
    var step = niceStep(hi - lo, H < 180 ? 3 : 4);
    lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
    var X = function (t) { return m.l + (W - m.l - m.r) * t / duration; };
    var Y = function (v) { return m.t + (H - m.t - m.b) * (hi - v) / (hi - lo); };
    this.X = X;
    var out = [], v, t;
    out.push('<g class="grid">');
    for (v = lo; v <= hi + 1e-9; v += step) out.push(tag("line", { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v) }));
    out.push('</g><g class="axis">');
    for (v = lo; v <= hi + 1e-9; v += step)
      out.push(tag("text", { x: m.l - 5, y: Y(v) + 3.5, "text-anchor": "end" }, esc((Math.round(v * 100) / 100) + (spec.unit === "°" ? "°" : ""))));
    var tstep = niceStep(duration, narrow ? 4 : 8);
    for (t = 0; t <= duration + 1e-9; t += tstep)
      out.push(tag("text", { x: X(t), y: H - 5, "text-anchor": t === 0 ? "start" : "middle" }, (Math.round(t * 100) / 100) + (t === 0 ? " s" : "")));
    out.push("</g>");
    D.reps.forEach(function (r) {
      out.push(tag("rect", { "class": "band", x: X(r.start), y: m.t, width: Math.max(X(r.end) - X(r.start), 1), height: H - m.t - m.b }));
      out.push(tag("text", { "class": "band-label", x: X(r.bottom), y: m.t - 5, "text-anchor": "middle" }, esc(r.index)));
    });
    D.faults.forEach(function (f) {
      if (spec.codes.indexOf(f.code) < 0) return;
      var x0 = X(f.start), x1 = Math.max(X(f.end), x0 + 4);
      out.push(tag("rect", { "class": "flt st-" + f.status, x: x0, y: m.t - 2, width: x1 - x0, height: 4, rx: 2 },
        tag("title", {}, esc("rep " + f.rep + ": " + (f.side ? f.side + " " : "") + f.label))));
    });
    spec.limits.forEach(function (l) {
      if (l.y < lo || l.y > hi) return;
      out.push(tag("line", { "class": "limit", x1: m.l, x2: W - m.r, y1: Y(l.y), y2: Y(l.y) }));
      out.push(tag("text", { "class": "limit-label", x: W - m.r - 2, y: Y(l.y) - 4, "text-anchor": "end" }, esc(l.label)));
    });
    spec.lines.forEach(function (ln) {
      var d = "", pen = false;
      for (var i = 0; i < D.t.length; i++) {
        var y = ln.y[i];
        if (y === null || y === undefined) { pen = false; continue; }
        d += (pen ? "L" : "M") + X(D.t[i]).toFixed(1) + " " + Y(y).toFixed(1);
        pen = true;
      }
      if (d) out.push(tag("path", { "class": "series", d: d, stroke: ln.colour }));
    });
    out.push(tag("line", { "class": "hover", y1: m.t, y2: H - m.b, visibility: "hidden" }));
    out.push(tag("line", { "class": "cursor", y1: m.t - 3, y2: H - m.b }));
    area.innerHTML = '<svg viewBox="0 0 ' + W + " " + H + '" width="' + W + '" height="' + H + '">' + out.join("") + '</svg><div class="tip" hidden></div>';
    var s = area.querySelector("svg");
    this.hoverLine = s.querySelector(".hover");
    this.cur = s.querySelector(".cursor");
    this.tip = area.querySelector(".tip");
    this.cursor(now());
    var pick = function (e) {
      var r = s.getBoundingClientRect();
      return clamp((e.clientX - r.left - m.l) / (W - m.l - m.r), 0, 1) * duration;
    };
    s.addEventListener("pointermove", function (e) {
      var t = pick(e), i = nearest(t), x = X(t);
      self.hoverLine.setAttribute("x1", x); self.hoverLine.setAttribute("x2", x); self.hoverLine.setAttribute("visibility", "visible");
      var parts = [fmtT(t)];
      spec.lines.forEach(function (ln) { var y = ln.y[i]; parts.push(ln.label + " " + (y === null ? "—" : (Math.round(y * 10) / 10) + spec.unit)); });
      self.tip.textContent = parts.join(" · ");
      self.tip.hidden = false;
      self.tip.style.left = clamp(x, 90, W - 90) + "px";
    });
    s.addEventListener("pointerleave", function () { self.hoverLine.setAttribute("visibility", "hidden"); self.tip.hidden = true; });
    s.addEventListener("click", function (e) { seek(pick(e)); });
  };
  Plot.prototype.cursor = function (t) {
    if (!this.cur) return;
    var x = this.X(clamp(t, 0, duration));
    this.cur.setAttribute("x1", x); this.cur.setAttribute("x2", x);
  };
  function nearest(t) {
    var a = 0, b = D.t.length - 1;
    if (b < 0) return 0;
    while (b - a > 1) { var c = (a + b) >> 1; if (D.t[c] < t) a = c; else b = c; }
    return Math.abs(D.t[a] - t) <= Math.abs(D.t[b] - t) ? a : b;
  }

  var figs = document.querySelectorAll("figure.plot[data-plot]");
  for (var i = 0; i < figs.length; i++) plots.push(new Plot(figs[i], D.plots[+figs[i].getAttribute("data-plot")]));
  var lastW = window.innerWidth, timer = 0;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastW) return;
    lastW = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(function () { for (var i = 0; i < plots.length; i++) plots[i].draw(); }, 120);
  });
  update(now());
  document.documentElement.setAttribute("data-ready", "1");
})();
