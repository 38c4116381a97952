// Live suggestions and the row of special letters for the chosen language. The page works
// without this script; it only saves typing.
(function () {
  "use strict";
  const box = document.getElementById("q");
  if (!box) return;
  const list = document.getElementById("suggestions");
  const from = document.getElementById("from");
  const row = document.getElementById("letters");
  const letters = JSON.parse(row.dataset.letters || "{}");
  let timer = null, last = "";

  function suggest() {
    const q = box.value.trim();
    if (!q || q === last) return;
    last = q;
    const params = new URLSearchParams({ q });
    if (from.value) params.set("lang", from.value);
    fetch("/v1/suggest?" + params).then(r => r.ok ? r.json() : { suggestions: [] }).then(body => {
      list.replaceChildren(...body.suggestions.map(s => Object.assign(document.createElement("option"), { value: s })));
    }).catch(() => {});
  }
  box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 150); });

  function drawLetters() {
    const set = (letters[from.value] || letters.bdq || "").split(" ").filter(Boolean);
    row.replaceChildren(...set.map(ch => {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = ch; b.title = "Chèn " + ch;
      b.addEventListener("click", () => {
        const at = box.selectionStart ?? box.value.length;
        box.value = box.value.slice(0, at) + ch + box.value.slice(box.selectionEnd ?? at);
        box.focus(); box.setSelectionRange(at + ch.length, at + ch.length);
        box.dispatchEvent(new Event("input"));
      });
      return b;
    }));
  }
  from.addEventListener("change", drawLetters);
  drawLetters();
})();
