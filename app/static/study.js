// Study without page reloads. The page works as plain forms; this script takes it over when it runs.
// Keys: Space or Enter shows the answer, 1-4 grade, U undoes the last grade.
(function () {
  "use strict";
  var root = document.getElementById("study");
  if (!root || !window.fetch) { return; }

  var slug = root.getAttribute("data-set") || "";
  var quizId = root.getAttribute("data-quiz") || "";
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var cardBox = document.getElementById("study-card");
  var status = document.getElementById("study-status");
  var progress = document.getElementById("progress");
  var NAMES = { 1: "Again", 2: "Hard", 3: "Good", 4: "Easy" };
  var PHASES = { "new": "New card", learning: "Learning", relearning: "Relearning", review: "Review" };
  var state = { data: null, revealed: false, shownAt: 0, busy: false, suggested: null, timer: null };

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

  function say(text) { status.textContent = text; }

  function offline() {
    say("Connection lost. Your last action was not saved; check your connection and try again.");
    state.busy = false;
  }

  function el(tag, attrs, html) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (html !== undefined) { node.innerHTML = html; }
    return node;
  }

  function updateCounts(counts) {
    ["new", "learning", "review"].forEach(function (kind) {
      var node = root.querySelector('[data-count="' + kind + '"]');
      if (node) { node.textContent = counts[kind]; }
    });
    var left = counts["new"] + counts.learning + counts.review;
    var done = Number(progress.getAttribute("value")) || 0;
    progress.setAttribute("max", Math.max(done + left, 1));
    progress.setAttribute("aria-label", "Today's progress: " + done + " done, " + left + " to go");
  }

  function load(prefer) {
    state.busy = true;
    var query = [];
    if (slug) { query.push("set=" + encodeURIComponent(slug)); }
    if (quizId) { query.push("quiz=" + encodeURIComponent(quizId)); }
    if (prefer) { query.push("card=" + prefer); }
    api("GET", "/study/next" + (query.length ? "?" + query.join("&") : "")).then(function (res) {
      state.busy = false;
      if (res.status !== 200) { say(res.body.message || "Could not load the next card."); return; }
      state.data = res.body;
      updateCounts(res.body.counts);
      if (res.body.card) { showFront(); } else { showDone(res.body.next_due); }
    }, offline);
  }

  function showDone(nextDue) {
    state.revealed = false;
    toolsFor(null);
    cardBox.innerHTML = "";
    var box = el("div", { "class": "done-box" });
    box.appendChild(el("h2", {}, "You are done for now"));
    if (nextDue) {
      var when = new Date(nextDue);
      box.appendChild(el("p", {}, "A learning card comes back at " +
        when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ". This page will show it then."));
      clearTimeout(state.timer);
      state.timer = setTimeout(function () { load(); }, Math.max(1000, when - Date.now() + 500));
    } else {
      box.appendChild(el("p", {}, 'Nothing else is due today. Come back tomorrow, or read a <a href="/">question set</a>.'));
    }
    cardBox.appendChild(box);
    say("You are done for now.");
  }

  function showFront() {
    var card = state.data.card;
    state.revealed = false;
    state.suggested = null;
    state.shownAt = Date.now();
    cardBox.innerHTML = "";
    var article = el("article", { "class": "flashcard", "aria-labelledby": "card-label" });
    article.appendChild(el("p", { "class": "card-meta", id: "card-label" },
      "")).textContent = card.set.title + " · " + PHASES[card.phase];
    article.appendChild(el("div", { "class": "front" }, card.front_html));
    var typed = card.type !== "open";
    var form = typed ? typedForm(card) : el("div", { "class": "reveal-form" });
    if (!typed) {
      var reveal = el("button", { type: "button", "class": "button primary", id: "reveal" }, "Show answer");
      reveal.addEventListener("click", showBack);
      form.appendChild(reveal);
    }
    article.appendChild(form);
    cardBox.appendChild(article);
    var first = article.querySelector("input, #reveal");
    if (first) { first.focus(); }
    toolsFor(card);
  }

  function typedForm(card) {
    var form = el("form", { "class": "typed-answer" });
    var fieldset = el("fieldset");
    var legend = { choice: card.multiple ? "Choose every right option" : "Choose one option",
      "true-false": "True or false?", cloze: "Fill in the blanks", "short": "Your answer" }[card.type];
    fieldset.appendChild(el("legend", {}, legend));
    if (card.type === "choice") {
      card.options.forEach(function (option) {
        var label = el("label", { "class": "choice" });
        label.appendChild(el("input", { type: card.multiple ? "checkbox" : "radio", name: "option", value: option.index }));
        label.appendChild(el("span", {}, " " + option.html));
        fieldset.appendChild(label);
      });
    } else if (card.type === "true-false") {
      ["true", "false"].forEach(function (value) {
        var label = el("label", { "class": "choice" });
        label.appendChild(el("input", { type: "radio", name: "response", value: value }));
        label.appendChild(document.createTextNode(value === "true" ? " True" : " False"));
        fieldset.appendChild(label);
      });
    } else {
      var count = card.type === "cloze" ? card.blanks : 1;
      for (var n = 0; n < count; n++) {
        var label = el("label", { "class": "blank" });
        label.appendChild(document.createTextNode(card.type === "cloze" ? "Blank " + (n + 1) + " " : "Answer "));
        label.appendChild(el("input", { type: "text", name: "blank", autocomplete: "off" }));
        fieldset.appendChild(label);
      }
    }
    form.appendChild(fieldset);
    form.appendChild(el("button", { type: "submit", "class": "button primary" }, "Check"));
    form.addEventListener("submit", function (event) { event.preventDefault(); check(form); });
    return form;
  }

  function responseOf(form, card) {
    if (card.type === "choice") {
      return Array.prototype.map.call(form.querySelectorAll('input[name="option"]:checked'),
        function (input) { return Number(input.value); });
    }
    if (card.type === "true-false") {
      var chosen = form.querySelector('input[name="response"]:checked');
      return chosen ? chosen.value : "";
    }
    var texts = Array.prototype.map.call(form.querySelectorAll('input[name="blank"]'),
      function (input) { return input.value; });
    return card.type === "cloze" ? texts : texts[0];
  }

  function check(form) {
    if (state.busy) { return; }
    var card = state.data.card;
    state.busy = true;
    api("POST", "/study/cards/" + card.id + "/check", { response: responseOf(form, card) }).then(function (res) {
      state.busy = false;
      if (res.status !== 200) { say(res.body.message || "Could not check the answer."); return; }
      state.suggested = res.body.suggested_rating;
      showBack(res.body.back_html);
      claimable();
      say((res.body.correct ? "Right! " : res.body.almost ? "Almost: check the spelling. " : "Not quite. ") +
        "Grade it: suggested " + NAMES[state.suggested] + ".");
    }, offline);
  }

  // "I was right": the learner overrules a wrong verdict before grading; Good becomes the suggestion.
  function claimable() {
    var button = cardBox.querySelector(".claim-right");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      state.suggested = 3;
      var box = cardBox.querySelector(".verdict-box");
      box.classList.remove("wrong", "almost");
      box.classList.add("claimed");
      box.querySelector(".verdict-text").textContent = "Marked right by you.";
      button.closest(".claim").remove();
      cardBox.querySelectorAll(".grade").forEach(function (grade) {
        grade.classList.toggle("suggested", grade.getAttribute("data-rating") === "3");
      });
      cardBox.querySelector(".grade-3").focus();
      say("Marked right by you. Grade it: suggested Good.");
    });
  }

  function showBack(backHtml) {
    if (state.revealed || !state.data || !state.data.card) { return; }
    var card = state.data.card;
    state.revealed = true;
    var article = cardBox.querySelector(".flashcard");
    var form = article.querySelector(".typed-answer, .reveal-form");
    if (form) { form.remove(); }
    article.appendChild(el("div", { "class": "back" }, typeof backHtml === "string" ? backHtml : card.back_html));
    var grades = el("div", { "class": "grades" });
    grades.appendChild(el("p", { "class": "grades-label", id: "grades-label" }, "How well did you remember it?"));
    var group = el("div", { "class": "grade-buttons", role: "group", "aria-labelledby": "grades-label" });
    [1, 2, 3, 4].forEach(function (rating) {
      var button = el("button", { type: "button", "class": "grade grade-" + rating +
        (state.suggested === rating ? " suggested" : ""), "data-rating": rating });
      button.appendChild(el("span", { "class": "grade-name" }, NAMES[rating]));
      button.appendChild(document.createTextNode(" "));
      button.appendChild(el("span", { "class": "grade-interval" }, state.data.interval_labels[rating]));
      button.setAttribute("aria-keyshortcuts", String(rating));
      button.addEventListener("click", function () { grade(rating); });
      group.appendChild(button);
    });
    grades.appendChild(group);
    article.appendChild(grades);
    var focus = group.querySelector(".suggested") || group.querySelector(".grade-3");
    focus.focus();
    if (typeof backHtml !== "string") { say("Answer shown. Grade it with 1 to 4."); }
  }

  function grade(rating) {
    if (state.busy || !state.revealed) { return; }
    var card = state.data.card;
    state.busy = true;
    var body = { rating: rating, duration_ms: Date.now() - state.shownAt, version: card.version };
    api("POST", "/study/cards/" + card.id + "/answer", body).then(function (res) {
      state.busy = false;
      if (res.status === 409) { say(res.body.message); load(); return; }
      if (res.status !== 200) { say(res.body.message || "Could not save the grade."); return; }
      progress.setAttribute("value", (Number(progress.getAttribute("value")) || 0) + 1);
      say(NAMES[rating] + ": next review " + state.data.interval_labels[rating] + " from now." +
        (res.body.leech ? " This card is now a leech and has been suspended." : ""));
      load();
    }, offline);
  }

  function undo() {
    if (state.busy) { return; }
    state.busy = true;
    api("POST", "/study/undo").then(function (res) {
      state.busy = false;
      if (res.status !== 200) { say(res.body.message || "Nothing to undo."); return; }
      progress.setAttribute("value", Math.max(0, (Number(progress.getAttribute("value")) || 0) - 1));
      say("Undone: the card is back as it was.");
      load(res.body.card_id);
    }, offline);
  }

  function cardAction(action, message) {
    var card = state.data && state.data.card;
    if (!card || state.busy) { return; }
    state.busy = true;
    api("POST", "/study/cards/" + card.id + "/" + action).then(function (res) {
      state.busy = false;
      if (res.status !== 200) { say(res.body.message || "That did not work."); return; }
      say(message);
      load();
    }, offline);
  }

  function toolsFor(card) {
    var tools = root.querySelector(".card-tools");
    tools.innerHTML = "";
    [["undo", "Undo last grade", undo], ["bury", "Bury until tomorrow", function () {
      cardAction("bury", "Card buried until tomorrow."); }], ["suspend", "Suspend", function () {
      cardAction("suspend", "Card suspended. Unsuspend it from the statistics page."); }]].forEach(function (item) {
      if (!card && item[0] !== "undo") { return; }
      var button = el("button", { type: "button", "class": "button", id: item[0] + "-button" }, item[1]);
      button.addEventListener("click", item[2]);
      tools.appendChild(button);
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
    if (typing && !(target.type === "radio" || target.type === "checkbox")) { return; }
    var key = event.key;
    if (!state.revealed && (key === " " || key === "Enter") && state.data && state.data.card) {
      if (state.data.card.type === "open") { event.preventDefault(); showBack(); return; }
      if (key === "Enter") { event.preventDefault(); check(cardBox.querySelector(".typed-answer")); }
      return;
    }
    if (state.revealed && /^[1-4]$/.test(key)) { event.preventDefault(); grade(Number(key)); return; }
    if (key === "u" || key === "U") { event.preventDefault(); undo(); }
  });

  var preferred = new URLSearchParams(window.location.search).get("show");
  load(preferred);
})();
