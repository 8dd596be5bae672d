// The live RNN demo. The page is a GET form that works without this script; the script makes it live:
// predictions as you type, the hidden state, one step in numbers, gradient flow and live training.
// Everything is drawn here as inline SVG or HTML: no external requests, no chart library.
(function () {
  "use strict";
  var root = document.getElementById("demo");
  if (!root || !window.fetch) { return; }

  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("demo-data").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var models = {};
  data.models.forEach(function (m) { models[m.cell] = m; });
  var CELLS = data.cells;

  var form = document.getElementById("demo-form");
  var textBox = document.getElementById("demo-text");
  var temperature = document.getElementById("demo-temperature");
  var temperatureOut = document.getElementById("demo-temperature-value");
  var kSelect = document.getElementById("demo-k");
  var state = { tokens: [], hidden: [], step: null, stepFollowsEnd: true, unit: 0, details: null,
    continuation: [], job: null, pollTimer: null, insideStale: false };
  var latest = {};

  Array.prototype.forEach.call(root.querySelectorAll("[data-needs-js]"), function (node) { node.hidden = false; });

  // Helpers ------------------------------------------------------------------------------------------

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch("/api/v1" + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, body: json };
      });
    });
  }

  // Only the answer to the latest request of each kind is drawn, however the answers arrive.
  function ask(kind, path, body, done, failed) {
    var id = (latest[kind] || 0) + 1;
    latest[kind] = id;
    api("POST", path, body).then(function (res) {
      if (latest[kind] !== id) { return; }
      if (res.status === 200) { done(res.body); } else { failed(res.body.message || "Something went wrong (" + res.status + ")."); }
    }, function () {
      if (latest[kind] === id) { failed("Connection lost. Check your connection; the demo tries again when you type."); }
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function num(x, digits) {
    var s = x.toFixed(digits === undefined ? 3 : digits);
    return (x < 0 ? "\u2212" + s.slice(1) : s);
  }

  var SUPERSCRIPT = { "-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074",
    "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079" };

  function power(exponent) {
    return "10" + String(exponent).split("").map(function (c) { return SUPERSCRIPT[c]; }).join("");
  }

  function sci(x) {
    if (x === null || x === undefined) { return "overflow"; }
    if (x === 0) { return "0"; }
    if (x >= 0.01 && x < 1000) { return x.toPrecision(3); }
    var exponent = Math.floor(Math.log10(x));
    return (x / Math.pow(10, exponent)).toFixed(1) + " \u00d7 " + power(exponent);
  }

  function plus(x) { return (x < 0 ? " \u2212 " : " + ") + num(Math.abs(x)); }

  function quote(words) { return "\u201c" + words + "\u201d"; }
  function shortWord(word) { return word.length > 8 ? word.slice(0, 7) + "\u2026" : word; }

  function cell() { return form.querySelector('input[name="cell"]:checked').value; }
  function text() { return textBox.value; }
  function temp() { return Number(temperature.value); }
  function cellName(c) { return data.cellNames[c]; }

  // Every setting lives in the URL, so a link opens this exact figure; demo-inside.js adds its own.
  var hub = window.unrollDemo = { onPrediction: [], urlParams: [] };
  var query = new URLSearchParams(location.search);

  function syncUrl() {
    var params = new URLSearchParams({ text: text(), cell: cell(), temperature: temperature.value });
    if (kSelect.value !== "5") { params.set("k", kSelect.value); }
    var scaleBox = document.getElementById("grad-scale");
    if (Number(scaleBox.value) !== 1) { params.set("scale", scaleBox.value); }
    var unitBox = document.getElementById("step-unit");
    if (unitBox.value !== "0") { params.set("unit", unitBox.value); }
    TRAIN_FIELDS.forEach(function (f) {
      var box = document.getElementById(f[1]);
      var value = box.type === "checkbox" ? (box.checked ? "1" : "0") : (box.type === "radio" ? "" : box.value);
      if (box.type === "radio") {
        value = trainFormValue();
      }
      if (value !== f[2]) { params.set(f[0], value); }
    });
    hub.urlParams.forEach(function (add) { add(params); });
    if (query.get("hide")) { params.set("hide", query.get("hide")); }
    history.replaceState(null, "", location.pathname + "?" + params.toString() + location.hash);
  }

  // The training controls: URL parameter, element, default value (as the page renders it).
  var TRAIN_FIELDS = [["tcell", "train-cell-vanilla", "vanilla"], ["steps", "train-steps", null], ["lr", "train-lr", null],
    ["hidden", "train-hidden", null], ["truncation", "train-truncation", null], ["clip", "train-clip", "1"],
    ["clipnorm", "train-clip-threshold", null]];
  TRAIN_FIELDS.forEach(function (f) {
    var box = document.getElementById(f[1]);
    if (f[2] === null) { f[2] = box.value; }
    var wanted = query.get(f[0]);
    if (wanted === null) { return; }
    if (box.type === "checkbox") { box.checked = wanted === "1"; }
    else if (box.type === "radio") {
      var radio = document.querySelector('input[name="train-cell"][value="' + (/^[a-z]+$/.test(wanted) ? wanted : "") + '"]');
      if (radio) { radio.checked = true; }
    } else if (wanted !== "" && Number(wanted) >= Number(box.min) && Number(wanted) <= Number(box.max)) { box.value = wanted; }
  });
  function trainFormValue() {
    var checked = document.querySelector('input[name="train-cell"]:checked');
    return checked ? checked.value : "vanilla";
  }
  document.getElementById("train-form").addEventListener("change", function () { syncUrl(); });

  // ?hide=a,b hides the named controls and views (data-control) for a focused exercise.
  (query.get("hide") || "").split(",").forEach(function (name) {
    if (!/^[a-z]+$/.test(name)) { return; }
    Array.prototype.forEach.call(root.querySelectorAll('[data-control="' + name + '"]'), function (node) { node.hidden = true; });
  });
  (function readQuery() {
    var scaleBox = document.getElementById("grad-scale");
    var s = Number(query.get("scale"));
    if (query.get("scale") && s >= Number(scaleBox.min) && s <= Number(scaleBox.max)) {
      scaleBox.value = String(s);
      document.getElementById("grad-scale-value").textContent = Number(scaleBox.value).toFixed(1);
    }
    var u = query.get("unit");
    if (u && /^\d+$/.test(u)) { document.getElementById("step-unit").value = u; }
  }());

  // Next word and hidden state ------------------------------------------------------------------------

  var predictStatus = document.getElementById("predict-status");
  var bars = document.getElementById("predictions");
  var unknown = document.getElementById("unknown-words");

  // With `inside`, the views of the network follow once the tokens are known (they label those views).
  // `inside`: the text or network changed, so the views inside the network follow the prediction.
  // The duty is kept until a prediction lands, so a later request that supersedes this one (a
  // temperature change, say) still refreshes them.
  function predict(inside) {
    if (inside) { state.insideStale = true; }
    if (!text().trim()) {
      showPredictProblem("Type at least one word.");
      refreshInside();
      return;
    }
    ask("predict", "/rnn/predict", { text: text(), cell: cell(), k: Number(kSelect.value), temperature: temp() },
      function (result) {
        showPrediction(result);
        refreshInside();
      }, showPredictProblem);
  }

  function refreshInside() {
    if (!state.insideStale) { return; }
    state.insideStale = false;
    steps();
    gradients();
  }

  function showPredictProblem(message) {
    predictStatus.textContent = message;
    bars.textContent = "";
    unknown.hidden = true;
  }

  function showPrediction(result) {
    var best = result.top[0];
    predictStatus.textContent = "After " + quote(result.tokens.slice(-3).join(" ")) + ", the " + cellName(cell()) +
      " expects " + quote(best.word) + " (" + (best.p * 100).toFixed(1) + "%).";
    bars.textContent = "";
    result.top.forEach(function (entry) {
      var li = el("li", { "class": "bar" });
      li.appendChild(el("span", { "class": "bar-word" }, entry.word));
      // SVG geometry, not a style attribute: the page's CSP allows no inline styles.
      var track = svg("svg", { "class": "bar-track", viewBox: "0 0 100 1", preserveAspectRatio: "none",
        "aria-hidden": "true", focusable: "false" });
      track.appendChild(svg("rect", { "class": "bar-fill", width: (entry.p * 100).toFixed(2), height: 1 }));
      li.appendChild(track);
      li.appendChild(el("span", { "class": "bar-p" }, (entry.p * 100).toFixed(1) + "%"));
      bars.appendChild(li);
    });
    unknown.hidden = result.unknown.length === 0;
    unknown.textContent = result.unknown.length ?
      "Not in its vocabulary, so read as \u201cunknown\u201d: " + result.unknown.join(", ") + "." : "";
    state.tokens = result.tokens;
    state.hidden = result.hidden;
    drawHeatmap(result.tokens, result.hidden);
    var shown = { tokens: result.tokens, hidden: result.hidden, cell: cell(), text: text() };
    hub.onPrediction.forEach(function (listener) { listener(shown); });
  }

  function drawHeatmap(tokens, hidden) {
    var box = document.getElementById("heatmap");
    var units = hidden[0].length;
    var cw = 24, rh = 5, left = 52, top = 64;
    var width = left + tokens.length * cw + 4, height = top + units * rh + 4;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
      "aria-labelledby": "heatmap-summary", "class": "heatmap-svg" });
    tokens.forEach(function (token, t) {
      var x = left + t * cw + cw / 2 + 3;
      chart.appendChild(svg("text", { x: x, y: top - 6, transform: "rotate(-60 " + x + " " + (top - 6) + ")",
        "class": "heat-label" }, shortWord(token)));
      hidden[t].forEach(function (v, u) {
        chart.appendChild(svg("rect", { x: left + t * cw, y: top + u * rh, width: cw - 1, height: rh,
          "class": v >= 0 ? "heat-pos" : "heat-neg", "fill-opacity": Math.min(1, Math.abs(v)).toFixed(3) }));
      });
    });
    for (var u = 0; u < units; u += 16) {
      chart.appendChild(svg("text", { x: left - 6, y: top + u * rh + 8, "class": "heat-label", "text-anchor": "end" },
        "unit " + u));
    }
    chart.style.minWidth = (left + tokens.length * 18) + "px";  // narrower columns scroll instead of shrinking
    box.textContent = "";
    box.appendChild(chart);
    document.getElementById("heatmap-summary").textContent = heatmapSummary(tokens, hidden);
    heatmapTable(tokens, hidden);
  }

  function heatmapSummary(tokens, hidden) {
    var units = hidden[0].length, last = hidden.length - 1;
    var intro = units + " hidden units over " + tokens.length + (tokens.length === 1 ? " word. " : " words. ");
    if (last === 0) { return intro + "Read one more word to see the state change."; }
    var moves = hidden[last].map(function (v, u) { return { u: u, from: hidden[last - 1][u], to: v }; });
    moves.sort(function (a, b) { return Math.abs(b.to - b.from) - Math.abs(a.to - a.from); });
    return intro + "The last word, " + quote(tokens[last]) + ", changed these units most: " +
      moves.slice(0, 3).map(function (m) { return m.u + " (" + num(m.from, 2) + " to " + num(m.to, 2) + ")"; }).join(", ") + ".";
  }

  function heatmapTable(tokens, hidden) {
    var table = document.getElementById("heatmap-table");
    var caption = table.querySelector("caption");
    table.textContent = "";
    table.appendChild(caption);
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Unit"));
    tokens.forEach(function (token, t) { head.appendChild(el("th", { scope: "col" }, (t + 1) + ". " + token)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    hidden[0].forEach(function (_, u) {
      var row = el("tr");
      row.appendChild(el("th", { scope: "row" }, String(u)));
      hidden.forEach(function (h) { row.appendChild(el("td", {}, num(h[u], 2))); });
      body.appendChild(row);
    });
  }

  // Continue -----------------------------------------------------------------------------------------

  var continueForm = document.getElementById("continue-form");
  var continuation = document.getElementById("continuation");
  var appendButton = document.getElementById("continue-append");

  continueForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var greedy = continueForm.querySelector('input[name="mode"]:checked').value === "greedy";
    var n = Math.max(1, Math.min(50, Math.round(Number(document.getElementById("continue-n").value) || 12)));
    continuation.textContent = "Writing\u2026";
    ask("generate", "/rnn/generate", { text: text(), cell: cell(), n: n, greedy: greedy, temperature: temp(),
      seed: Math.floor(Math.random() * 1e9) }, function (result) {
      state.continuation = result.words;
      continuation.textContent = "";
      continuation.appendChild(el("span", { "class": "prompt-text" }, text().trim() + " "));
      continuation.appendChild(el("strong", { "class": "generated" }, result.words.join(" ")));
      appendButton.disabled = false;
    }, function (message) { continuation.textContent = message; appendButton.disabled = true; });
  });

  appendButton.addEventListener("click", function () {
    var joined = (text().trim() + " " + state.continuation.join(" ")).slice(0, data.maxText || 500);
    textBox.value = joined;
    appendButton.disabled = true;
    continuation.textContent = "Added to your text.";
    textBox.focus();
    refreshAll();
  });

  // One step in numbers ------------------------------------------------------------------------------

  var chain = document.getElementById("chain");
  var unitInput = document.getElementById("step-unit");
  var stepView = document.getElementById("step-view");

  function configureUnit() {
    var hidden = models[cell()] ? models[cell()].hidden : 64;
    unitInput.max = hidden - 1;
    document.getElementById("step-unit-hint").textContent = "0 to " + (hidden - 1) + ".";
    document.getElementById("step-equation").textContent = models[cell()] ? models[cell()].equation : "";
  }

  function steps() {
    configureUnit();
    var unit = Math.round(Number(unitInput.value));
    if (!(unit >= 0 && unit <= Number(unitInput.max))) { stepView.textContent = "Choose a unit from 0 to " + unitInput.max + "."; return; }
    if (!text().trim()) { chain.textContent = ""; stepView.textContent = "Type at least one word."; return; }
    ask("steps", "/rnn/steps", { text: text(), cell: cell(), unit: unit }, function (result) {
      state.details = result;
      if (state.stepFollowsEnd || state.step === null || state.step >= result.steps.length) {
        state.step = result.steps.length - 1;
        state.stepFollowsEnd = true;
      }
      drawChain(result.steps);
      drawStep();
    }, function (message) { stepView.textContent = message; });
  }

  function drawChain(details) {
    var focused = chain.contains(document.activeElement) ? state.step : null;
    chain.textContent = "";
    details.forEach(function (d, t) {
      var li = el("li");
      var button = el("button", { type: "button", "class": "chain-step", "aria-pressed": String(t === state.step),
        "aria-label": "Step " + (t + 1) + ": " + d.token });
      button.appendChild(el("span", { "class": "chain-h", "aria-hidden": "true" }, "h" + (t + 1)));
      button.appendChild(el("span", { "class": "chain-x", "aria-hidden": "true" }, shortWord(d.token)));
      button.addEventListener("click", function () {
        state.step = t;
        state.stepFollowsEnd = t === details.length - 1;
        drawChain(details);
        drawStep();
      });
      li.appendChild(button);
      chain.appendChild(li);
    });
    if (focused !== null && chain.children[focused]) { chain.children[focused].querySelector("button").focus(); }
  }

  function strip(label, values, highlight) {
    var wrap = el("div", { "class": "vec" });
    var name = el("p", { "class": "vec-label" });
    name.innerHTML = label;
    wrap.appendChild(name);
    var n = values.length;
    var described = highlight === null ? n + " numbers between " + num(Math.min.apply(null, values), 2) + " and " +
      num(Math.max.apply(null, values), 2) : n + " numbers; unit " + highlight + " is " + num(values[highlight]);
    var chart = svg("svg", { viewBox: "0 0 " + n + " 1", preserveAspectRatio: "none", "class": "vec-strip",
      role: "img", "aria-label": name.textContent + ": " + described });
    values.forEach(function (v, i) {
      chart.appendChild(svg("rect", { x: i, y: 0, width: 1, height: 1, "class": v >= 0 ? "heat-pos" : "heat-neg",
        "fill-opacity": Math.min(1, Math.abs(v)).toFixed(3) }));
    });
    if (highlight !== null) {
      chart.appendChild(svg("rect", { x: highlight, y: 0, width: 1, height: 1, "class": "vec-mark",
        "vector-effect": "non-scaling-stroke" }));
    }
    wrap.appendChild(chart);
    return wrap;
  }

  function termsTable(title, terms, names, squash) {
    var table = el("table", { "class": "terms-table" });
    table.appendChild(el("caption", {}, title));
    var body = table.appendChild(el("tbody"));
    [[names[0], terms.input], [names[1], terms.recurrent], [names[2], terms.bias], ["sum", terms.total],
      [squash, terms.value]].forEach(function (pair, i) {
      var row = el("tr", i >= 3 ? { "class": "terms-result" } : {});
      row.appendChild(el("th", { scope: "row" }, pair[0]));
      row.appendChild(el("td", {}, num(pair[1])));
      body.appendChild(row);
    });
    return table;
  }

  function drawStep() {
    var result = state.details;
    if (!result) { return; }
    var d = result.steps[state.step], u = result.unit, t = state.step + 1;
    var pre = "[" + u + "]";
    stepView.textContent = "";
    var vectors = el("div", { "class": "vectors" });
    vectors.appendChild(strip("x<sub>" + t + "</sub>: the embedding of " + quote(d.token), d.x, null));
    vectors.appendChild(strip("h<sub>" + (t - 1) + "</sub>: the state before it", d.h_prev, u));
    vectors.appendChild(strip("h<sub>" + t + "</sub>: the state after it", d.h, u));
    stepView.appendChild(vectors);
    stepView.appendChild(el("h3", { "class": "terms-heading" }, "Unit " + u + " at step " + t + " (" + quote(d.token) + ")"));
    var grid = stepView.appendChild(el("div", { "class": "terms-grid" }));
    var line;
    if (result.cell === "gru") {
      grid.appendChild(termsTable("Reset gate r", d.gates.r, ["W_xr x" + pre, "W_hr h_prev" + pre, "b_r" + pre], "r = \u03c3(sum)"));
      grid.appendChild(termsTable("Update gate z", d.gates.z, ["W_xz x" + pre, "W_hz h_prev" + pre, "b_z" + pre], "z = \u03c3(sum)"));
      grid.appendChild(termsTable("Candidate n", d.terms, ["W_xn x" + pre, "r \u00b7 (W_hn h_prev + b_hn)" + pre,
        "b_n" + pre], "n = tanh(sum)"));
      var z = d.gates.z.value;
      line = "h" + pre + " = (1 \u2212 z)\u00b7n + z\u00b7h_prev" + pre + " = (1 \u2212 " + num(z) + ") \u00d7 " +
        num(d.terms.value) + " + " + num(z) + " \u00d7 " + num(d.h_prev[u]) + " = " + num(d.h[u]);
    } else if (result.cell === "lstm") {
      grid.appendChild(termsTable("Input gate i", d.gates.i, ["W_xi x" + pre, "W_hi h_prev" + pre, "b_i" + pre], "i = \u03c3(sum)"));
      grid.appendChild(termsTable("Forget gate f", d.gates.f, ["W_xf x" + pre, "W_hf h_prev" + pre, "b_f" + pre], "f = \u03c3(sum)"));
      grid.appendChild(termsTable("Output gate o", d.gates.o, ["W_xo x" + pre, "W_ho h_prev" + pre, "b_o" + pre], "o = \u03c3(sum)"));
      grid.appendChild(termsTable("Candidate g", d.terms, ["W_xg x" + pre, "W_hg h_prev" + pre, "b_g" + pre], "g = tanh(sum)"));
      var o = d.gates.o.value;
      line = "c" + pre + " = f\u00b7c_prev" + pre + " + i\u00b7g = " + num(d.gates.f.value) + " \u00d7 c_prev" + pre + " + " +
        num(d.gates.i.value) + " \u00d7 " + num(d.terms.value) + "; h" + pre + " = o\u00b7tanh(c" + pre + ") = " + num(o) +
        " \u00d7 " + num(o > 0 ? d.h[u] / o : 0) + " = " + num(d.h[u]);
    } else {
      grid.appendChild(termsTable("Pre-activation", d.terms, ["W_xh x" + pre, "W_hh h_prev" + pre, "b_h" + pre],
        "h" + pre + " = tanh(sum)"));
      line = "h" + pre + " = tanh(" + num(d.terms.input) + plus(d.terms.recurrent) + plus(d.terms.bias) +
        ") = tanh(" + num(d.terms.total) + ") = " + num(d.h[u]);
    }
    stepView.appendChild(el("p", { "class": "mix" }, line));
  }

  unitInput.addEventListener("input", debounce(steps, 150));
  unitInput.addEventListener("input", function () { syncUrl(); });

  // Gradient flow ------------------------------------------------------------------------------------

  var scale = document.getElementById("grad-scale");
  var scaleOut = document.getElementById("grad-scale-value");
  var gradStatus = document.getElementById("grad-status");

  function gradients() {
    var body = { text: text(), scale: Number(scale.value) };
    var pending = {}, results = {}, failed = null;
    var available = CELLS.filter(function (c) { return models[c]; });
    var id = (latest.gradients || 0) + 1;
    latest.gradients = id;
    available.forEach(function (c) { pending[c] = true; });
    available.forEach(function (c) {
      api("POST", "/rnn/gradients", Object.assign({ cell: c }, body)).then(function (res) {
        if (latest.gradients !== id) { return; }
        if (res.status === 200) { results[c] = res.body.norms; } else { failed = res.body.message; }
        delete pending[c];
        if (Object.keys(pending).length === 0) { drawGradients(results, failed); }
      }, function () { if (latest.gradients === id) { gradStatus.textContent = "Connection lost."; } });
    });
  }

  function drawGradients(results, failed) {
    var tokens = state.tokens;
    if (failed) {
      gradStatus.classList.remove("visually-hidden");
      gradStatus.textContent = failed;
      CELLS.forEach(function (c) {
        var fig = document.getElementById("grad-" + c);
        fig.querySelector(".grad-chart").textContent = "";
        fig.querySelector(".chart-summary").textContent = "";
      });
      return;
    }
    var all = [];
    Object.keys(results).forEach(function (c) {
      results[c].forEach(function (v) { if (v !== null && v > 0) { all.push(v); } });
    });
    var lo = Math.floor(Math.log10(Math.min.apply(null, all)));
    var hi = Math.ceil(Math.log10(Math.max.apply(null, all)));
    if (hi - lo < 2) { lo -= 1; hi += 1; }
    var summaries = [];
    CELLS.forEach(function (c) {
      var fig = document.getElementById("grad-" + c);
      if (!results[c]) { return; }
      fig.querySelector(".grad-chart").textContent = "";
      fig.querySelector(".grad-chart").appendChild(gradChart(c, results[c], tokens, lo, hi));
      fig.setAttribute("data-norms", JSON.stringify(results[c]));
      var summary = gradSummary(c, results[c], tokens);
      fig.querySelector(".chart-summary").textContent = summary;
      summaries.push(summary);
    });
    gradStatus.classList.add("visually-hidden");  // the captions show it; this announces it
    gradStatus.textContent = "Recurrent weights \u00d7 " + Number(scale.value).toFixed(1) + ". " + summaries.join(" ");
    gradTable(results, tokens);
  }

  function gradSummary(c, norms, tokens) {
    var first = norms[0], last = norms[norms.length - 1];
    var name = cellName(c) + ": ";
    if (!first || !last) { return name + "the gradient overflowed."; }
    var orders = Math.log10(first / last), ratio = Math.pow(10, Math.abs(orders));
    var direction = orders < 0 ? "smaller" : "larger";
    var size = ratio < 1.5 ? "about the same size as" : Math.abs(orders) < 1 ?
      ratio.toFixed(1) + " times " + direction + " than" :
      Math.abs(orders).toFixed(1) + " orders of magnitude " + direction + " than";
    return name + "at the first word, " + quote(tokens[0]) + ", the gradient is " + sci(first) + ", " + size +
      " at the last step, " + quote(tokens[norms.length - 1]) + " (" + sci(last) + ").";
  }

  function gradChart(c, norms, tokens, lo, hi) {
    var width = 360, height = 210, left = 52, bottom = 50, top = 8;
    var plotH = height - top - bottom, bw = (width - left - 6) / norms.length;
    var y = function (v) { return top + plotH * (1 - (Math.log10(v) - lo) / (hi - lo)); };
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, "class": "grad-svg", role: "img",
      "aria-label": "Gradient norm per word on a log scale, " + cellName(c) + "; summary below" });
    var step = Math.max(1, Math.ceil((hi - lo) / 6));
    for (var e = lo; e <= hi; e += step) {
      chart.appendChild(svg("line", { x1: left, x2: width - 4, y1: y(Math.pow(10, e)), y2: y(Math.pow(10, e)), "class": "grid" }));
      chart.appendChild(svg("text", { x: left - 5, y: y(Math.pow(10, e)) + 4, "text-anchor": "end", "class": "tick" }, power(e)));
    }
    var labelEvery = Math.ceil(norms.length / 12);
    norms.forEach(function (v, t) {
      var x = left + t * bw;
      if (v !== null && v > 0) {
        var top_ = y(Math.max(v, Math.pow(10, lo)));
        chart.appendChild(svg("rect", { x: x + bw * 0.12, y: top_, width: bw * 0.76, height: top + plotH - top_,
          "class": "grad-bar grad-" + c }));
      }
      if (t % labelEvery === 0 || t === norms.length - 1) {
        var lx = x + bw / 2, ly = top + plotH + 10;
        chart.appendChild(svg("text", { x: lx, y: ly, transform: "rotate(-45 " + lx + " " + ly + ")",
          "text-anchor": "end", "class": "tick" }, shortWord(tokens[t] || "")));
      }
    });
    chart.appendChild(svg("line", { x1: left, x2: left, y1: top, y2: top + plotH, "class": "axis" }));
    chart.appendChild(svg("line", { x1: left, x2: width - 4, y1: top + plotH, y2: top + plotH, "class": "axis" }));
    return chart;
  }

  function gradTable(results, tokens) {
    var table = document.getElementById("grad-table");
    var caption = table.querySelector("caption");
    table.textContent = "";
    table.appendChild(caption);
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Word"));
    CELLS.forEach(function (c) { if (results[c]) { head.appendChild(el("th", { scope: "col" }, cellName(c))); } });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    var length = Math.max.apply(null, CELLS.map(function (c) { return results[c] ? results[c].length : 0; }));
    for (var t = 0; t < length; t++) {
      var row = el("tr");
      row.appendChild(el("th", { scope: "row" }, (t + 1) + ". " + (tokens[t] || "")));
      CELLS.forEach(function (c) { if (results[c]) { row.appendChild(el("td", {}, sci(results[c][t]))); } });
      body.appendChild(row);
    }
  }

  scale.addEventListener("input", function () {
    scaleOut.textContent = Number(scale.value).toFixed(1);
    syncUrl();
    scheduleGradients();
  });
  var scheduleGradients = debounce(gradients, 120);

  // Live training ------------------------------------------------------------------------------------

  var trainForm = document.getElementById("train-form");
  var trainButton = document.getElementById("train-start");
  var trainStatus = document.getElementById("train-status");
  var lossSummary = document.getElementById("loss-summary");
  var sample = document.getElementById("train-sample");

  function setTraining(busy) {
    trainButton.setAttribute("aria-disabled", String(busy));
    trainButton.textContent = busy ? "Training\u2026" : "Start training";
  }

  trainForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (trainButton.getAttribute("aria-disabled") === "true") {
      trainStatus.textContent = "Your model is still training; wait for it to finish.";
      return;
    }
    var own = document.getElementById("train-text").value.trim();
    var body = { cell: trainForm.querySelector('input[name="train-cell"]:checked').value,
      steps: Math.round(Number(document.getElementById("train-steps").value)),
      lr: Number(document.getElementById("train-lr").value),
      hidden: Math.round(Number(document.getElementById("train-hidden").value)),
      truncation: Math.round(Number(document.getElementById("train-truncation").value)),
      clip: document.getElementById("train-clip").checked,
      clip_threshold: Number(document.getElementById("train-clip-threshold").value) };
    if (own) { body.text = own; }
    setTraining(true);
    trainStatus.textContent = "Starting\u2026";
    sample.hidden = true;
    api("POST", "/rnn/jobs", body).then(function (res) {
      if (res.status === 202) {
        trainStatus.textContent = "Training started: " + res.body.steps + " steps of a small " + cellName(res.body.cell) + ".";
        follow(res.body.id);
      } else if (res.status === 409 && res.body.job) {
        trainStatus.textContent = res.body.message;
        follow(res.body.job);
      } else {
        trainStatus.textContent = res.body.message || "The server could not start training (" + res.status + ").";
        setTraining(false);
      }
    }, function () { trainStatus.textContent = "Connection lost; try again."; setTraining(false); });
  });

  function follow(jobId) {
    clearTimeout(state.pollTimer);
    api("GET", "/rnn/jobs/" + jobId).then(function (res) {
      if (res.status !== 200) {
        trainStatus.textContent = res.body.message || "The job could not be read.";
        setTraining(false);
        return;
      }
      var job = res.body;
      drawLoss(job);
      if (job.active) {
        state.pollTimer = setTimeout(function () { follow(jobId); }, 300);
      } else {
        finished(job);
      }
    }, function () { state.pollTimer = setTimeout(function () { follow(jobId); }, 1500); });
  }

  function finished(job) {
    setTraining(false);
    var losses = job.losses;
    var fell = losses.length > 1 ? "the loss fell from " + losses[0].toFixed(2) + " to " + losses[losses.length - 1].toFixed(2) +
      " in " + losses.length + " steps" : "it made no steps";
    var cpu = job.cpu_seconds ? " (" + job.cpu_seconds.toFixed(1) + " s of processor time)" : "";
    if (job.status === "done") {
      trainStatus.textContent = "Done: " + fell + cpu + ".";
    } else {
      trainStatus.textContent = (job.message || "Training ended early.") + " Before that, " + fell + ".";
    }
    if (job.sample) {
      sample.hidden = false;
      sample.textContent = "";
      sample.appendChild(el("span", {}, "Your model writes: "));
      sample.appendChild(el("strong", { "class": "generated" }, job.sample));
    }
  }

  function linePoints(values, x, y) {
    return values.map(function (v, i) { return x(i + 1).toFixed(1) + "," + y(v).toFixed(1); }).join(" ");
  }

  // Each step's loss is measured on a different random batch, so the raw curve is noisy: draw a running
  // average over it (exponential, started at the first value).
  function smooth(values) {
    var out = [], avg = values[0];
    values.forEach(function (v) { avg = 0.9 * avg + 0.1 * v; out.push(avg); });
    return out;
  }

  function drawLoss(job) {
    var box = document.getElementById("loss-chart");
    var losses = job.losses;
    // Drawn at the box's own width, so that its text keeps its size on a phone.
    var width = Math.max(300, Math.min(800, box.clientWidth || 600)), height = 240, left = 44, bottom = 34, top = 10, right = 12;
    var plotW = width - left - right, plotH = height - top - bottom;
    var maxLoss = Math.max(1, Math.ceil(Math.max.apply(null, losses.concat([1]))));
    var x = function (step) { return left + plotW * step / job.steps; };
    var y = function (loss) { return top + plotH * (1 - loss / maxLoss); };
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, "class": "loss-svg", role: "img",
      "aria-labelledby": "loss-summary" });
    var tick = maxLoss > 6 ? 2 : 1;
    for (var v = 0; v <= maxLoss; v += tick) {
      chart.appendChild(svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), "class": "grid" }));
      chart.appendChild(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", "class": "tick" }, String(v)));
    }
    [0, Math.round(job.steps / 2), job.steps].forEach(function (s, i) {
      chart.appendChild(svg("text", { x: x(s), y: height - bottom + 16, "text-anchor": ["start", "middle", "end"][i],
        "class": "tick" }, String(s)));
    });
    chart.appendChild(svg("text", { x: left + plotW / 2, y: height - 4, "text-anchor": "middle", "class": "tick" }, "step"));
    chart.appendChild(svg("text", { x: 12, y: top + plotH / 2, "text-anchor": "middle", "class": "tick",
      transform: "rotate(-90 12 " + (top + plotH / 2) + ")" }, "loss"));
    chart.appendChild(svg("line", { x1: left, x2: left, y1: top, y2: top + plotH, "class": "axis" }));
    chart.appendChild(svg("line", { x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, "class": "axis" }));
    if (losses.length) {
      chart.appendChild(svg("polyline", { points: linePoints(losses, x, y), "class": "loss-raw" }));
      chart.appendChild(svg("polyline", { points: linePoints(smooth(losses), x, y), "class": "loss-line" }));
    }
    box.textContent = "";
    box.appendChild(chart);
    lossSummary.textContent = losses.length ?
      "Loss (cross-entropy, nats per word) at step " + losses.length + " of " + job.steps + ": " +
      losses[losses.length - 1].toFixed(2) + ", down from " + losses[0].toFixed(2) + " at step 1." :
      (job.status === "queued" ? "Waiting for the training process to start\u2026" : "No steps yet.");
  }

  // Wiring -------------------------------------------------------------------------------------------

  function refreshAll() {
    syncUrl();
    predict(true);
  }

  var refreshSoon = debounce(refreshAll, 180);
  textBox.addEventListener("input", refreshSoon);
  form.addEventListener("submit", function (event) { event.preventDefault(); refreshAll(); });
  Array.prototype.forEach.call(form.querySelectorAll('input[name="cell"]'), function (radio) {
    radio.addEventListener("change", function () { state.details = null; refreshAll(); });
  });
  temperature.addEventListener("input", function () {
    temperatureOut.textContent = temp().toFixed(2);
    syncUrl();
    predictSoon();
  });
  var predictSoon = debounce(function () { predict(false); }, 60);
  kSelect.addEventListener("change", function () { syncUrl(); predict(false); });

  Object.assign(hub, { api: api, ask: ask, debounce: debounce, el: el, svg: svg, num: num, sci: sci, quote: quote,
    shortWord: shortWord, cell: cell, text: text, cellName: cellName, models: models, cells: CELLS, syncUrl: syncUrl,
    query: query });
  // After every deferred script (demo-inside.js) has registered its listeners and URL parameters.
  document.addEventListener("DOMContentLoaded", function () {
    if (Object.keys(models).length) { refreshAll(); }
  });
}());
