// The demo's word-by-word views: gates over time, connectivity (what the state at a word depends on) and
// one neuron across the text. demo.js owns the text, the network choice and the URL; this file follows
// its predictions (window.unrollDemo) and adds ?position=, ?compare= to the URL.
(function () {
  "use strict";
  var hub = window.unrollDemo;
  var root = document.getElementById("inside");
  if (!hub || !root) { return; }
  var el = hub.el, svg = hub.svg, num = hub.num, sci = hub.sci, quote = hub.quote, shortWord = hub.shortWord;
  var GATED = ["gru", "lstm"];
  var GATE_TEXT = { input: "Input gate i", forget: "Forget gate f", output: "Output gate o", cell: "Cell state c",
    update: "Update gate z", reset: "Reset gate r" };

  var wordList = document.getElementById("word-choice");
  var compareBox = document.getElementById("compare");
  var unitBox = document.getElementById("neuron-unit");
  var stepUnit = document.getElementById("step-unit");
  var gatesExplain = document.getElementById("gates-explain");
  var gatesReadout = document.getElementById("gates-readout");
  var gatesCharts = document.getElementById("gates-charts");
  var connStatus = document.getElementById("conn-status");
  var connCharts = document.getElementById("conn-charts");
  var state = { tokens: [], hidden: [], cell: "vanilla", text: "", position: null, gates: {}, conn: {} };

  var wanted = Number(hub.query.get("position"));
  if (hub.query.get("position") !== null && Number.isInteger(wanted) && wanted >= 0) { state.position = wanted; }
  compareBox.checked = hub.query.get("compare") === "1";
  if (hub.query.get("unit") && /^\d+$/.test(hub.query.get("unit"))) { unitBox.value = hub.query.get("unit"); }

  hub.urlParams.push(function (params) {
    if (state.position !== null) { params.set("position", String(state.position)); }
    if (compareBox.checked) { params.set("compare", "1"); }
  });

  function position() {
    var last = state.tokens.length - 1;
    return state.position === null || state.position > last ? last : state.position;
  }
  function unit() {
    var u = Math.round(Number(unitBox.value));
    return u >= 0 && u < (state.hidden[0] || []).length ? u : null;
  }
  function shownCells(kinds) {
    var all = hub.cells.filter(function (c) { return hub.models[c] && (!kinds || kinds.indexOf(c) >= 0); });
    return compareBox.checked ? all : all.filter(function (c) { return c === state.cell; });
  }
  function wordLabel(t) { return quote(state.tokens[t]) + " (word " + (t + 1) + ")"; }

  // The word choice: native radio buttons, so Tab enters the group and the arrow keys move in it. --------

  function drawWords() {
    wordList.textContent = "";
    state.tokens.forEach(function (token, t) {
      var label = el("label", { "class": "word-chip" });
      var radio = el("input", { type: "radio", name: "position", value: String(t) });
      radio.checked = t === position();
      radio.addEventListener("change", function () {
        state.position = t;
        hub.syncUrl();
        drawAll(true);
      });
      label.appendChild(radio);
      label.appendChild(document.createTextNode(token));
      wordList.appendChild(label);
    });
  }

  // Gates over time --------------------------------------------------------------------------------------

  function fetchGates() {
    var cells = shownCells(GATED);
    gatesCharts.textContent = "";
    if (!cells.length) {
      gatesExplain.textContent = "The vanilla RNN has no gates: it rewrites its whole state at every word. Choose GRU or LSTM above, " +
        "or tick \u201cSide by side\u201d.";
      gatesReadout.textContent = "";
      return;
    }
    var text = state.text;
    cells.forEach(function (c) {
      hub.ask("gates-" + c, "/rnn/gates", { text: text, cell: c }, function (result) {
        state.gates[c] = result;
        drawGates();
      }, function (message) { gatesExplain.textContent = message; });
    });
  }

  function drawGates() {
    var cells = shownCells(GATED).filter(function (c) { return state.gates[c] && state.gates[c].tokens.length === state.tokens.length; });
    gatesCharts.textContent = "";
    cells.forEach(function (c) {
      var result = state.gates[c];
      Object.keys(GATE_TEXT).forEach(function (name) {
        if (result.gates[name]) { gatesCharts.appendChild(gateChart(c, name, result.gates[name])); }
      });
    });
    explainGates(cells);
    readout(cells, position(), unit());
  }

  function gateChart(c, name, rows) {
    var tokens = state.tokens, units = rows[0].length;
    var cw = 26, rh = 3, left = 56, top = 60, chosen = position();
    var width = left + tokens.length * cw + 4, height = top + units * rh + 4;
    var figure = el("figure", { "class": "gate-figure", id: "gate-" + c + "-" + name, tabindex: "0" });  // scrolls sideways
    figure.appendChild(el("figcaption", {}, hub.cellName(c) + ": " + GATE_TEXT[name]));
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, "class": "gate-svg",
      role: "img", "aria-label": hub.cellName(c) + " " + GATE_TEXT[name] + " for " + units + " units over " + tokens.length +
      " words; choose a word and a unit to read a value" });
    var scale = 1;
    if (name === "cell") {
      rows.forEach(function (row) { row.forEach(function (v) { scale = Math.max(scale, Math.abs(v)); }); });
    }
    tokens.forEach(function (token, t) {
      var x = left + t * cw + cw / 2 + 3;
      chart.appendChild(svg("text", { x: x, y: top - 6, transform: "rotate(-60 " + x + " " + (top - 6) + ")",
        "class": "heat-label" }, shortWord(token)));
      rows[t].forEach(function (v, u) {
        var cls = name === "cell" ? (v >= 0 ? "heat-pos" : "heat-neg") : "gate-on";
        var alpha = name === "cell" ? Math.abs(v) / scale : v;
        chart.appendChild(svg("rect", { x: left + t * cw, y: top + u * rh, width: cw - 1, height: rh, "class": cls,
          "fill-opacity": Math.min(1, alpha).toFixed(3) }));
      });
    });
    for (var u = 0; u < units; u += 16) {
      chart.appendChild(svg("text", { x: left - 6, y: top + u * rh + 8, "class": "heat-label", "text-anchor": "end" }, "unit " + u));
    }
    chart.appendChild(svg("rect", { x: left + chosen * cw - 1, y: top - 1, width: cw + 1, height: units * rh + 2, "class": "gate-chosen" }));
    chart.addEventListener("mousemove", function (event) {
      var box = chart.getBoundingClientRect();
      var x = (event.clientX - box.left) * width / box.width, y = (event.clientY - box.top) * height / box.height;
      var t = Math.floor((x - left) / cw), k = Math.floor((y - top) / rh);
      if (t >= 0 && t < tokens.length && k >= 0 && k < units) { readout(shownCells(GATED), t, k); }
    });
    chart.addEventListener("mouseleave", function () { readout(shownCells(GATED), position(), unit()); });
    figure.appendChild(chart);
    return figure;
  }

  function readout(cells, t, u) {
    if (u === null || !state.tokens.length) { gatesReadout.textContent = ""; return; }
    var parts = cells.filter(function (c) { return state.gates[c]; }).map(function (c) {
      var g = state.gates[c].gates;
      return hub.cellName(c) + ": " + Object.keys(GATE_TEXT).filter(function (n) { return g[n]; }).map(function (n) {
        return GATE_TEXT[n].split(" ")[0].toLowerCase() + " " + num(g[n][t][u], 2);
      }).join(", ");
    });
    gatesReadout.textContent = parts.length ? "At " + wordLabel(t) + ", unit " + u + ": " + parts.join("; ") + "." : "";
  }

  function mean(values) { return values.reduce(function (a, b) { return a + b; }, 0) / values.length; }

  function explainGates(cells) {
    var t = position(), word = wordLabel(t);
    var lines = cells.map(function (c) {
      var g = state.gates[c].gates;
      if (c === "lstm") {
        var f = g.forget[t], open = f.filter(function (v) { return v > 0.9; }).length;
        var start = t === 0 ? " At the first word there is no earlier cell state yet, so the forget gate has nothing to keep." :
          " An open forget gate (near 1) keeps the cell state c\u209c\u208b\u2081 that carries the earlier words; near 0 it erases it, " +
          "and the network forgets what came before " + quote(state.tokens[t]) + ".";
        return "At " + word + ", the LSTM's forget gate averages " + num(mean(f), 2) + ", and " + open + " of its " + f.length +
          " units keep more than 90% of their memory." + start;
      }
      var z = g.update[t], kept = z.filter(function (v) { return v > 0.9; }).length;
      return "At " + word + ", the GRU's update gate averages " + num(mean(z), 2) + " (" + kept + " of " + z.length +
        " units above 0.9). Near 1 it keeps the old state h\u209c\u208b\u2081, like an open forget gate; near 0 it replaces it with the new candidate.";
    });
    gatesExplain.textContent = lines.join(" ");
  }

  // Connectivity ---------------------------------------------------------------------------------------------

  function fetchConnectivity() {
    var cells = shownCells(), t = position(), text = state.text;
    connStatus.textContent = "Working out what the state at " + wordLabel(t) + " depends on\u2026";
    var pending = cells.length;
    state.conn = {};
    cells.forEach(function (c) {
      hub.ask("conn-" + c, "/rnn/connectivity", { text: text, cell: c, position: t }, function (result) {
        state.conn[c] = result.norms;
        pending -= 1;
        if (!pending) { drawConnectivity(cells, t); }
      }, function (message) { connStatus.textContent = message; });
    });
  }

  function drawConnectivity(cells, t) {
    var all = [];
    cells.forEach(function (c) { state.conn[c].forEach(function (v) { if (v > 0) { all.push(Math.log10(v)); } }); });
    var hi = Math.ceil(Math.max.apply(null, all.concat([-6]))), lo = Math.min(hi - 2, Math.floor(Math.min.apply(null, all.concat([hi - 2]))));
    lo = Math.max(lo, hi - 8);
    connCharts.textContent = "";
    cells.forEach(function (c) { connCharts.appendChild(connChart(c, state.conn[c], t, lo, hi)); });
    connStatus.textContent = cells.map(function (c) { return connSummary(c, state.conn[c], t); }).join(" ");
    connTable(cells, t);
  }

  function connSummary(c, norms, t) {
    if (t === 0) { return hub.cellName(c) + ": the first word depends on itself only (" + sci(norms[0]) + ")."; }
    var ratio = norms[0] / norms[t];
    return hub.cellName(c) + ": the first word affects the state at " + quote(state.tokens[t]) + " " +
      (ratio >= 1 ? sci(ratio) + " times as much as" : sci(1 / ratio) + " times less than") + " the word itself.";
  }

  function connChart(c, norms, t, lo, hi) {
    var tokens = state.tokens, cw = 44, left = 44, top = 8, plotH = 90, bottom = 58;
    var width = left + tokens.length * cw + 4, height = top + plotH + bottom;
    var figure = el("figure", { "class": "conn-figure", id: "conn-" + c, "data-norms": JSON.stringify(norms), tabindex: "0" });
    figure.appendChild(el("figcaption", {}, hub.cellName(c)));
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, "class": "conn-svg",
      role: "img", "aria-label": connSummary(c, norms, t) + " Bars on a log scale; the numbers are in the table below." });
    var y = function (logv) { return top + plotH * (1 - (logv - lo) / (hi - lo)); };
    for (var e = lo; e <= hi; e += Math.max(1, Math.round((hi - lo) / 4))) {
      chart.appendChild(svg("line", { x1: left, x2: width - 4, y1: y(e), y2: y(e), "class": "grid" }));
      chart.appendChild(svg("text", { x: left - 4, y: y(e) + 4, "text-anchor": "end", "class": "tick" }, "1e" + e));
    }
    tokens.forEach(function (token, k) {
      var x = left + k * cw;
      if (k < norms.length && norms[k] > 0) {
        var top_ = Math.max(top, y(Math.log10(norms[k])));
        var bar = svg("rect", { x: x + 6, y: top_, width: cw - 12, height: Math.max(1, top + plotH - top_), "class": "conn-bar conn-" + c });
        bar.appendChild(svg("title", {}, quote(token) + ": " + sci(norms[k])));
        chart.appendChild(bar);
      }
      var label = svg("text", { x: x + cw / 2, y: top + plotH + 14, transform: "rotate(-40 " + (x + cw / 2) + " " + (top + plotH + 14) + ")",
        "text-anchor": "end", "class": "conn-word" }, shortWord(token));
      chart.appendChild(label);
    });
    chart.appendChild(svg("rect", { x: left + t * cw + 2, y: top, width: cw - 4, height: plotH, "class": "conn-chosen" }));
    chart.appendChild(svg("line", { x1: left, x2: width - 4, y1: top + plotH, y2: top + plotH, "class": "axis" }));
    figure.appendChild(chart);
    return figure;
  }

  function connTable(cells, t) {
    var table = document.getElementById("conn-table");
    var caption = table.querySelector("caption");
    table.textContent = "";
    table.appendChild(caption);
    caption.textContent = "How strongly each word affects the state at " + wordLabel(t);
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Word"));
    cells.forEach(function (c) { head.appendChild(el("th", { scope: "col" }, hub.cellName(c))); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    for (var k = 0; k <= t; k += 1) {
      var row = el("tr");
      row.appendChild(el("th", { scope: "row" }, (k + 1) + ". " + state.tokens[k]));
      cells.forEach(function (c) { row.appendChild(el("td", {}, sci(state.conn[c][k]))); });
      body.appendChild(row);
    }
  }

  // One neuron across the text ------------------------------------------------------------------------------

  function drawNeuron() {
    var box = document.getElementById("neuron-text");
    var units = (state.hidden[0] || []).length;
    unitBox.max = Math.max(0, units - 1);
    document.getElementById("neuron-unit-hint").textContent = units ? "0 to " + (units - 1) + " (" + hub.cellName(state.cell) + ")." : "";
    box.textContent = "";
    var u = unit();
    if (u === null) { box.textContent = "Choose a unit from 0 to " + (units - 1) + "."; return; }
    box.setAttribute("aria-label", "Unit " + u + " of the " + hub.cellName(state.cell) + " after each word");
    state.tokens.forEach(function (token, t) {
      var v = state.hidden[t][u];
      var word = el("span", { "class": "neuron-word" });
      word.appendChild(el("span", { "class": "neuron-token" }, token));
      var line = svg("svg", { "class": "neuron-line", viewBox: "0 0 10 1", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" });
      line.appendChild(svg("rect", { width: 10, height: 1, "class": v >= 0 ? "heat-pos" : "heat-neg",
        "fill-opacity": Math.min(1, Math.abs(v)).toFixed(3) }));
      word.appendChild(line);
      word.appendChild(el("span", { "class": "neuron-value" }, num(v, 2)));
      box.appendChild(word);
    });
  }

  // Wiring -------------------------------------------------------------------------------------------------

  function drawAll(positionOnly) {
    if (!state.tokens.length) { return; }
    Array.prototype.forEach.call(wordList.querySelectorAll("input"), function (radio) { radio.checked = Number(radio.value) === position(); });
    if (positionOnly) { drawGates(); } else { fetchGates(); }
    fetchConnectivity();
    if (!positionOnly) { drawNeuron(); }
  }

  hub.onPrediction.push(function (shown) {
    var changed = shown.text !== state.text || shown.cell !== state.cell || shown.tokens.length !== state.tokens.length;
    state.tokens = shown.tokens;
    state.hidden = shown.hidden;
    if (!changed) { drawNeuron(); return; }
    state.cell = shown.cell;
    state.text = shown.text;
    drawWords();
    drawAll(false);
    hub.syncUrl();
  });

  compareBox.addEventListener("change", function () { hub.syncUrl(); drawAll(false); });
  unitBox.addEventListener("input", function () {
    if (stepUnit.value !== unitBox.value) {
      stepUnit.value = unitBox.value;
      stepUnit.dispatchEvent(new Event("input"));  // the step view and the URL follow
    }
    drawNeuron();
    readout(shownCells(GATED), position(), unit());
  });
  stepUnit.addEventListener("input", function () {
    if (unitBox.value !== stepUnit.value) { unitBox.value = stepUnit.value; drawNeuron(); readout(shownCells(GATED), position(), unit()); }
  });
}());
