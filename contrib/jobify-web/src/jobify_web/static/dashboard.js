// jobify dashboard: confirm actions, and refresh the page's content when the
// server says something changed (server-sent events from /api/events).
// No inline script anywhere: the Content-Security-Policy forbids it.
(function () {
  "use strict";
  var body = document.body;
  var base = body.getAttribute("data-base") || "";

  // Actions are POST forms with a CSRF token, one button per action; ask first.
  var verbs = { pause: "Pause", resume: "Resume", run: "Run now", cancel: "Cancel" };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var job = form && form.getAttribute && form.getAttribute("data-job");
    var action = button && button.getAttribute("data-action");
    if (job !== null && action && !window.confirm(verbs[action] + " job " + job + "?")) {
      event.preventDefault();
    }
  });

  // A notice (?notice=paused) is shown once; drop it from the address.
  if (window.history && window.location.search.indexOf("notice=") !== -1) {
    var url = new URL(window.location.href);
    url.searchParams.delete("notice");
    window.history.replaceState(null, "", url.toString());
  }

  if (body.getAttribute("data-live") !== "on" || !window.EventSource) {
    return;
  }
  var dot = document.getElementById("live");
  var pending = null;
  var busy = false;

  function setLive(on, pushed) {
    if (!dot) { return; }
    dot.className = on ? "live on" : "live";
    dot.title = on ? (pushed ? "live updates: pushed by the storage" : "live updates: on")
                   : "live updates: reconnecting";
  }

  function refresh() {
    pending = null;
    if (busy) { schedule(); return; }
    busy = true;
    fetch(window.location.href, {
      headers: { "X-Jobify-Fragment": "1" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      if (response.status === 401) { window.location.reload(); return null; }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      var content = document.getElementById("content");
      if (html !== null && content) {
        content.innerHTML = html;
        body.setAttribute("data-refreshed", String(Date.now()));
      }
    }).catch(function () { /* the next change tries again */ })
      .then(function () { busy = false; });
  }

  function schedule() {
    if (pending === null) { pending = window.setTimeout(refresh, 200); }
  }

  var source = new EventSource(base + "/api/events");
  // the version the page was rendered at: a stream that starts at another one
  // (something changed between the render and the stream) refreshes at once
  var version = body.getAttribute("data-version");
  function heard(event) {
    var seen = null;
    try { seen = String(JSON.parse(event.data).version); } catch (e) { seen = null; }
    if (seen !== version) { version = seen; schedule(); }
  }
  source.addEventListener("hello", function (event) {
    var pushed = false;
    try { pushed = JSON.parse(event.data).pushed; } catch (e) { pushed = false; }
    setLive(true, pushed);
    heard(event);
  });
  source.addEventListener("change", heard);
  source.onerror = function () { setLive(false, false); };
})();
