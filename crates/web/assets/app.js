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
