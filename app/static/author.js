// The set editor: line numbers kept beside the text, the checker's errors marked at their lines as
// the instructor types, the learner's view of the source beside it, and Ctrl/Cmd+S to save a draft.
// Without this script the page still works as a plain form.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var source = document.getElementById("source");
  if (!form || !source || !window.fetch) { return; }

  var gutter = document.getElementById("gutter");
  var status = document.getElementById("check-status");
  var list = document.getElementById("source-errors");
  var view = document.getElementById("learner-view");
  var note = document.getElementById("preview-note");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var CHECK_DELAY = 400;
  var PREVIEW_DELAY = 700;
  var state = { problems: readProblems(), checkTimer: null, previewTimer: null, checkSeq: 0,
    previewSeq: 0, dirty: false, lines: 0,
    goodPreview: view.getAttribute("data-parsed") === "1" };

  function readProblems() {
    // The errors the server listed with the page, so the gutter is marked before the first check.
    var found = [];
    Array.prototype.forEach.call(list ? list.querySelectorAll("li") : [], function (item) {
      var link = item.querySelector("[data-line]");
      found.push({ line: link ? Number(link.getAttribute("data-line")) : null,
        message: item.getAttribute("data-message") || item.textContent,
        level: item.getAttribute("data-level") || "error" });
    });
    return found;
  }

  function lineCount() { return source.value.split("\n").length; }

  function renderGutter() {
    var count = lineCount();
    var marks = {};
    state.problems.forEach(function (p) {
      if (p.line && (!marks[p.line] || p.level === "error")) { marks[p.line] = p; }
    });
    var fragment = document.createDocumentFragment();
    for (var n = 1; n <= count; n += 1) {
      var row = document.createElement("div");
      row.textContent = String(n);
      if (marks[n]) {
        row.className = marks[n].level === "error" ? "mark-error" : "mark-warning";
        row.title = marks[n].message;
      }
      fragment.appendChild(row);
    }
    gutter.textContent = "";
    gutter.appendChild(fragment);
    state.lines = count;
    syncScroll();
  }

  function syncScroll() { gutter.scrollTop = source.scrollTop; }

  function renderProblems(result) {
    var errors = (result.errors || []).map(function (e) { return { line: e.line, message: e.message, level: "error" }; });
    var warnings = (result.warnings || []).map(function (w) { return { line: w.line, message: w.message, level: "warning" }; });
    state.problems = errors.concat(warnings);
    list.textContent = "";
    state.problems.forEach(function (p) {
      var item = document.createElement("li");
      item.className = p.level;
      item.setAttribute("data-level", p.level);
      item.setAttribute("data-message", p.message);
      if (p.line) {
        var link = document.createElement("a");
        link.href = "#source";
        link.setAttribute("data-line", String(p.line));
        link.textContent = "Line " + p.line;
        item.appendChild(link);
        item.appendChild(document.createTextNode(": "));
      }
      item.appendChild(document.createTextNode((p.level === "warning" ? "Warning: " : "") + p.message));
      list.appendChild(item);
    });
    status.textContent = summary(errors.length, warnings.length);
    status.className = "check-status" + (errors.length ? " has-errors" : "");
    renderGutter();
  }

  function summary(errors, warnings) {
    var parts = [errors === 0 ? "No errors" : errors + (errors === 1 ? " error" : " errors")];
    if (warnings) { parts.push(warnings + (warnings === 1 ? " warning" : " warnings")); }
    return parts.join(", ");
  }

  function check() {
    var seq = state.checkSeq += 1;
    fetch(form.getAttribute("data-check-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ source: source.value })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (seq !== state.checkSeq) { return; }
      if (answer.ok) { renderProblems(answer.body); } else { status.textContent = "Could not check: " + (answer.body.message || "the server refused"); }
    }).catch(function () {
      if (seq === state.checkSeq) { status.textContent = "Could not check: the connection was lost."; }
    });
  }

  function preview() {
    var seq = state.previewSeq += 1;
    var body = new URLSearchParams();
    body.set("source", source.value);
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      if (!response.ok) { return null; }
      return response.text().then(function (html) {
        return { html: html, parsed: response.headers.get("X-Preview-Ok") === "1" };
      });
    }).then(function (answer) {
      if (answer === null || seq !== state.previewSeq) { return; }
      if (answer.parsed || !state.goodPreview) {
        view.innerHTML = answer.html;  // sanitised by the server
        state.goodPreview = answer.parsed;
      }
      note.textContent = answer.parsed || !state.goodPreview ? ""
        : "Showing the last version that parsed; fix the errors to see your latest text.";
    }).catch(function () { /* the last preview stays; the check reports the lost connection */ });
  }

  function edited() {
    state.dirty = true;
    if (lineCount() !== state.lines) { renderGutter(); }
    clearTimeout(state.checkTimer);
    clearTimeout(state.previewTimer);
    state.checkTimer = setTimeout(check, CHECK_DELAY);
    state.previewTimer = setTimeout(preview, PREVIEW_DELAY);
  }

  function goToLine(line) {
    var lines = source.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i += 1) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    source.focus();
    source.setSelectionRange(start, end);
    var lineHeight = source.scrollHeight / Math.max(lines.length, 1);
    source.scrollTop = Math.max(0, (line - 3) * lineHeight);
    syncScroll();
  }

  function saveDraft(event) {
    var key = (event.key || "").toLowerCase();
    if (key !== "s" || !(event.ctrlKey || event.metaKey) || event.altKey) { return; }
    event.preventDefault();
    var button = document.getElementById("save-draft");
    state.dirty = false;
    if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
  }

  source.addEventListener("input", edited);
  source.addEventListener("scroll", syncScroll);
  document.addEventListener("keydown", saveDraft);
  form.addEventListener("submit", function () { state.dirty = false; });
  list.addEventListener("click", function (event) {
    var link = event.target.closest("[data-line]");
    if (!link) { return; }
    event.preventDefault();
    goToLine(Number(link.getAttribute("data-line")));
  });
  window.addEventListener("beforeunload", function (event) {
    if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  renderGutter();
  var wanted = Number(new URLSearchParams(window.location.search).get("line"));  // from item analysis
  if (wanted > 0) { goToLine(wanted); }
})();
