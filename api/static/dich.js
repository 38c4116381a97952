// The workbench: the languages chosen are remembered on this device, and the results come into
// view after "Tra thuật ngữ" (the form posts to #ket-qua; this moves the focus there as well).
(function () {
  "use strict";
  const form = document.getElementById("workbench");
  if (!form) return;
  const KEY = "tudien.dich.to";
  const boxes = [...form.querySelectorAll("input[name=to]")];
  const chosen = () => boxes.filter((b) => b.checked).map((b) => b.value);
  if (!chosen().length) {  // a fresh page: the choice made last time
    let saved = [];
    try { saved = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { saved = []; }
    boxes.forEach((b) => { b.checked = Array.isArray(saved) && saved.includes(b.value); });
  }
  const remember = () => { try { localStorage.setItem(KEY, JSON.stringify(chosen())); } catch (e) { /* private mode */ } };
  boxes.forEach((b) => b.addEventListener("change", remember));
  form.addEventListener("submit", remember);
  const results = document.getElementById("ket-qua");
  if (results && results.children.length && location.hash === "#ket-qua") {
    results.focus({ preventScroll: true });
    results.scrollIntoView({ block: "start" });
  }
})();
