// A timed quiz: save each answer as it is given, count down from the server's remaining seconds,
// announce one minute and ten seconds left, submit when time runs out, retry when offline.
(function () {
  "use strict";
  var root = document.getElementById("quiz");
  if (!root || !window.fetch) { return; }
  var id = root.getAttribute("data-id");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var timer = document.getElementById("timer");
  var alertBox = document.getElementById("quiz-alert");
  var banner = document.getElementById("quiz-banner");
  var form = document.getElementById("quiz-form");
  var endsAt = Date.now() + Number(root.getAttribute("data-remaining")) * 1000;
  var pending = {};
  var typingTimers = {};
  var announced = {};
  var finished = false;

  function request(method, path, body) {
    return fetch("/api/v1/quizzes/" + id + path, {
      method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, body: json };
      });
    });
  }

  function answerOf(fieldset) {
    var type = fieldset.getAttribute("data-type");
    var inputs = fieldset.querySelectorAll("input");
    if (type === "choice") {
      var ids = Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
      return ids.length ? ids : null;
    }
    if (type === "true-false") {
      var chosen = fieldset.querySelector("input:checked");
      return chosen ? chosen.value : null;
    }
    var texts = Array.prototype.map.call(inputs, function (i) { return i.value; });
    if (type === "cloze") { return texts.some(function (t) { return t.trim(); }) ? texts : null; }
    return texts[0].trim() ? texts[0] : null;
  }

  function mark(questionId, text, answered) {
    document.getElementById("saved-" + questionId).textContent = text;
    var link = document.getElementById("map-" + questionId);
    if (link && answered !== undefined) {
      link.classList.toggle("answered", answered);
      link.querySelector(".visually-hidden").textContent = answered ? " (answered)" : " (not answered)";
    }
  }

  function save(fieldset, attempt) {
    var questionId = fieldset.getAttribute("data-question");
    var answer = answerOf(fieldset);
    mark(questionId, "Saving…");
    request("PUT", "/answers/" + questionId, { answer: answer }).then(function (res) {
      if (res.status === 200) {
        delete pending[questionId];
        banner.hidden = true;
        mark(questionId, answer === null ? "" : "Saved", answer !== null);
        endsAt = Date.now() + res.body.remaining_s * 1000;
      } else if (res.status === 409) {
        mark(questionId, "Not saved: time is up.");
        finish();
      } else {
        mark(questionId, res.body.message || "Not saved.");
      }
    }, function () {
      pending[questionId] = fieldset;
      banner.hidden = false;
      banner.textContent = "Connection lost: your answers are kept here and saved as soon as it returns.";
      mark(questionId, "Waiting for the connection…");
      setTimeout(function () { if (pending[questionId]) { save(fieldset, (attempt || 0) + 1); } },
        Math.min(8000, 1000 * Math.pow(2, attempt || 0)));
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) { return; }
    clearTimeout(typingTimers[fieldset.getAttribute("data-question")]);  // this save covers the typing
    save(fieldset);
  });
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset || event.target.type !== "text") { return; }
    var questionId = fieldset.getAttribute("data-question");
    clearTimeout(typingTimers[questionId]);
    typingTimers[questionId] = setTimeout(function () { save(fieldset); }, 700);
  });

  function finish() {
    if (finished) { return; }
    finished = true;
    request("POST", "/submit").then(function () {
      window.location.href = "/quiz/" + id + "/result";
    }, function () {
      banner.hidden = false;
      banner.textContent = "Time is up. The quiz will be submitted as soon as the connection returns.";
      finished = false;
      setTimeout(finish, 3000);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var saves = Array.prototype.map.call(form.querySelectorAll("fieldset[data-question]"), function (fieldset) {
      return request("PUT", "/answers/" + fieldset.getAttribute("data-question"), { answer: answerOf(fieldset) });
    });
    Promise.all(saves).then(finish, finish);
  });

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    timer.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left <= 60 && left > 10 && !announced[60]) { announced[60] = true; alertBox.textContent = "One minute left."; }
    if (left <= 10 && left > 0 && !announced[10]) { announced[10] = true; alertBox.textContent = "Ten seconds left."; }
    root.classList.toggle("hurry", left <= 60);
    if (left === 0) { alertBox.textContent = "Time is up. Submitting your answers."; finish(); return; }
    setTimeout(tick, 250);
  }
  tick();
})();
