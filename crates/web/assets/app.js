// Kefu UI keyboard shortcuts. Loaded as a file (the Content Security Policy allows no
// inline scripts). Keys do nothing while the agent is typing in a field.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = Math.max(0, Math.min(all.length - 1, current + step));
    if (current >= 0) all[current].classList.remove("selected");
    all[next].classList.add("selected");
    var link = all[next].querySelector("a");
    if (link) link.focus();
  }
  function compose(kind) {
    var radio = document.getElementById("kind-" + kind);
    var body = document.getElementById("body");
    if (radio) radio.checked = true;
    if (body) body.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "r": compose("reply"); break;
      case "n": compose("note"); break;
      case "a": var take = document.getElementById("take"); if (take) take.click(); break;
      case "/": var search = document.getElementById("search-box"); if (search) search.focus(); break;
      case "?": var help = document.getElementById("help"); if (help && help.showModal) help.showModal(); break;
      default: return;
    }
    event.preventDefault();
  });
})();

// SLA countdowns on the ticket page: the server says how much counted time was left when
// it read the clocks (data-as-of) and until when it keeps counting (data-until: the
// calendar's closing time for business-hours clocks); paused clocks stand still. Time is
// measured from when this page first showed the element, on the browser's clock, and the
// counting window from the server's two instants, so a browser clock that is off does not
// shift the countdown. The format matches the server's (render::remaining). Live
// refreshes replace the elements, which then start from the server's new reading.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function format(ms) {
    var over = ms < 0, total = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(total / 86400), h = Math.floor(total / 3600) % 24, m = Math.floor(total / 60) % 60, s = total % 60;
    var text = d > 0 ? (zh ? d + " 天 " + h + " 小时" : d + " d " + h + " h")
      : h > 0 ? (zh ? h + " 小时 " + pad(m) + " 分" : h + " h " + pad(m) + " min")
      : (zh ? m + " 分 " + pad(s) + " 秒" : m + " min " + pad(s) + " s");
    return over ? (zh ? "已超 " + text : "over by " + text) : text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-remaining-ms]").forEach(function (el) {
      if (el.dataset.paused) return;
      if (!el.dataset.seen) el.dataset.seen = String(now);
      var counting = el.dataset.until ? Date.parse(el.dataset.until) - Date.parse(el.dataset.asOf) : Infinity;
      var left = Number(el.dataset.remainingMs) - Math.min(now - Number(el.dataset.seen), counting);
      el.textContent = format(left);
      el.classList.toggle("overdue", left < 0);
    });
  }
  if (document.querySelector(".countdown")) { tick(); }
  setInterval(tick, 1000);
})();
