// The entry editor: fills the form from the entry, checks what the server checks, saves through
// the API with the ETag read with the page, and shows a conflict side by side when someone else
// saved meanwhile (what was typed is never lost).  Recording is record.js.
(function () {
  "use strict";
  const form = document.getElementById("editor");
  if (!form) return;
  const data = JSON.parse(document.getElementById("editor-data").textContent);
  const csrf = form.dataset.csrf;
  const $ = (id) => document.getElementById(id);
  const senses = $("senses");
  const senseTemplate = $("sense-template");
  const exampleTemplate = $("example-template");
  const VISIBLE = /[^\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
  let etag = data.etag;
  let lastField = $("f-headword");

  const lines = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);
  const items = (text) => text.split(";").map((s) => s.trim()).filter(Boolean);

  // -- the form <-> an entry ---------------------------------------------------------------------
  function addExample(box, example) {
    const row = exampleTemplate.content.firstElementChild.cloneNode(true);
    row.querySelector(".e-text").value = (example && example.text) || "";
    row.querySelector(".e-vie").value = (example && example.translations && example.translations.vie) || "";
    row._orig = example || {};
    row.querySelector(".remove-example").addEventListener("click", () => row.remove());
    box.appendChild(row);
  }

  function addSense(sense) {
    const node = senseTemplate.content.firstElementChild.cloneNode(true);
    const glosses = (sense && sense.glosses) || {};
    node.querySelector(".s-vie").value = (glosses.vie || []).join("\n");
    node.querySelector(".s-eng").value = (glosses.eng || []).join("\n");
    node.querySelector(".s-def").value = ((sense && sense.definitions) || {}).vie || "";
    node.querySelector(".s-domains").value = ((sense && sense.domains) || []).join("; ");
    node.querySelector(".s-notes").value = ((sense && sense.notes) || []).join("\n");
    node._orig = sense || {};
    const box = node.querySelector(".examples");
    ((sense && sense.examples) || []).forEach((ex) => addExample(box, ex));
    node.querySelector(".add-example").addEventListener("click", () => addExample(box, null));
    node.querySelector(".remove").addEventListener("click", () => { node.remove(); number(); });
    node.querySelector(".up").addEventListener("click", () => {
      if (node.previousElementSibling) senses.insertBefore(node, node.previousElementSibling);
      number();
    });
    node.querySelector(".down").addEventListener("click", () => {
      if (node.nextElementSibling) senses.insertBefore(node.nextElementSibling, node);
      number();
    });
    senses.appendChild(node);
    number();
  }

  function number() {
    [...senses.children].forEach((node, i) => { node.querySelector(".n").textContent = String(i + 1); });
  }

  function fill(entry) {
    $("f-language").value = entry.language || $("f-language").value;
    $("f-headword").value = entry.headword || "";
    $("f-variants").value = (entry.variants || []).join("; ");
    $("f-pos").value = entry.pos || "";
    $("f-ipa").value = entry.ipa || "";
    $("f-authority").value = entry.authority || "";
    senses.replaceChildren();
    (entry.senses && entry.senses.length ? entry.senses : [null]).forEach(addSense);
  }

  function collect() {
    const body = {
      language: $("f-language").value,
      headword: $("f-headword").value.trim(),
      variants: items($("f-variants").value),
      pos: $("f-pos").value.trim() || null,
      ipa: $("f-ipa").value.trim() || null,
      authority: $("f-authority").value.trim() || null,
      comment: $("f-comment").value.trim() || null,
      senses: [],
    };
    for (const node of senses.children) {
      const orig = node._orig || {};
      const glosses = Object.assign({}, orig.glosses || {});  // glosses in other languages are kept
      const vie = lines(node.querySelector(".s-vie").value);
      const eng = lines(node.querySelector(".s-eng").value);
      if (vie.length) glosses.vie = vie; else delete glosses.vie;
      if (eng.length) glosses.eng = eng; else delete glosses.eng;
      const definitions = Object.assign({}, orig.definitions || {});
      const def = node.querySelector(".s-def").value.trim();
      if (def) definitions.vie = def; else delete definitions.vie;
      const examples = [...node.querySelectorAll(".example-row")].map((row) => {
        const translations = Object.assign({}, (row._orig && row._orig.translations) || {});
        const vieText = row.querySelector(".e-vie").value.trim();
        if (vieText) translations.vie = vieText; else delete translations.vie;
        return { text: row.querySelector(".e-text").value.trim(), translations,
                 source: (row._orig && row._orig.source) || null };
      }).filter((ex) => ex.text);
      body.senses.push({ glosses, definitions, examples, pos: orig.pos || null,
                         domains: items(node.querySelector(".s-domains").value),
                         notes: lines(node.querySelector(".s-notes").value) });
    }
    return body;
  }

  // -- errors next to their field ----------------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll(".field-error").forEach((e) => e.remove());
    $("form-error").hidden = true;
  }

  function fieldElement(field) {
    const sense = /^senses\[(\d+)\](?:\.(\w+))?/.exec(field || "");
    if (sense) {
      const node = senses.children[Number(sense[1])];
      if (!node) return senses;
      return node.querySelector(`[data-field="${sense[2] || "glosses"}"]`) || node.querySelector(".s-vie");
    }
    return form.querySelector(`[data-field="${(field || "").split(/[.[]/)[0]}"]`);
  }

  function showError(field, message) {
    const at = fieldElement(field);
    if (!at) {
      $("form-error").textContent = message;
      $("form-error").hidden = false;
      return;
    }
    const note = document.createElement("p");
    note.className = "field-error error";
    note.setAttribute("role", "alert");
    note.textContent = message;
    at.insertAdjacentElement("afterend", note);
    at.focus();
  }

  function check(body) {  // what the server checks too, said before sending
    if (!VISIBLE.test(body.headword)) return ["headword", "Hãy nhập mục từ."];
    for (let i = 0; i < body.senses.length; i++) {
      if (!Object.keys(body.senses[i].glosses).length) {
        return [`senses[${i}].glosses`, "Mỗi nghĩa cần ít nhất một nghĩa dịch."];
      }
    }
    return null;
  }

  // -- what is typed is never lost: unsaved changes are kept, saved before sending -----------------
  let saved = null;  // the form as last loaded or saved
  let leaving = false;
  const dirty = () => saved !== null && JSON.stringify(collect()) !== saved;
  const markDirty = () => { $("unsaved").hidden = !dirty(); };
  form.addEventListener("input", markDirty);
  form.addEventListener("click", () => setTimeout(markDirty, 0));
  window.addEventListener("beforeunload", (event) => {
    if (!leaving && dirty()) { event.preventDefault(); event.returnValue = ""; }
  });
  const sendForm = $("send-form");
  if (sendForm) {
    sendForm.addEventListener("submit", (event) => {
      leaving = true;
      if (!dirty()) return;  // nothing unsaved: sent as it is
      event.preventDefault();
      save(collect(), { review: true });
    });
  }

  async function sendForReview(id) {  // after saving the unsaved changes: the draft to the editors
    const answer = await fetch(`/v1/entries/${encodeURIComponent(id)}/status`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ status: "review" }) });
    if (answer.ok) { leaving = true; location.assign(`/duyet?gui=${encodeURIComponent(id)}`); return; }
    const reply = await answer.json().catch(() => ({}));
    showError(null, "Đã lưu bản sửa nhưng chưa gửi duyệt được: " + ((reply.error || {}).message || `lỗi ${answer.status}`));
  }

  async function closeSuggestion(revision) {  // the suggestion this edit answers, closed with it
    if (!data.suggestion) return;
    await fetch(`/v1/suggestions/${data.suggestion}`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ status: "accepted", revision }) });
  }

  // the API's field paths, as the form calls them (a refusal names the field in Vietnamese)
  const SENSE_PARTS = { glosses: "nghĩa", definitions: "giải nghĩa", examples: "ví dụ", domains: "lĩnh vực",
                        notes: "ghi chú", pos: "từ loại" };
  const FIELD_NAMES = { headword: "Mục từ", variants: "Biến thể", pos: "Từ loại", ipa: "IPA",
                        authority: "Căn cứ", comment: "Ghi chú cho người duyệt", language: "Ngôn ngữ" };
  function fieldName(field) {
    const sense = /^senses\[(\d+)\](?:\.(\w+))?/.exec(field || "");
    if (sense) return `Nghĩa ${Number(sense[1]) + 1}` + (sense[2] ? `, ${SENSE_PARTS[sense[2]] || sense[2]}` : "");
    return FIELD_NAMES[(field || "").split(/[.[]/)[0]] || field;
  }
  const said = (field, message) => {  // "Trường senses[0].glosses: …", "Tham số authority không hợp lệ: …"
    const at = message.indexOf(": ");
    return field && at > 0 && message.slice(0, at).includes(field)
      ? `${fieldName(field)}: ${message.slice(at + 2)}` : message;
  };

  // -- saving ------------------------------------------------------------------------------------
  async function save(body, then) {
    clearErrors();
    const problem = check(body);
    if (problem) { showError(...problem); return; }
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": csrf };
    let url = "/v1/entries", method = "POST";
    if (data.id) { url = `/v1/entries/${encodeURIComponent(data.id)}`; method = "PUT"; headers["If-Match"] = etag; }
    $("save").disabled = true;
    try {
      const answer = await fetch(url, { method, headers, body: JSON.stringify(body), credentials: "same-origin" });
      const reply = await answer.json().catch(() => ({}));
      if (answer.ok) {
        saved = JSON.stringify(body);
        leaving = true;
        await closeSuggestion(reply.revision);
        if (then && then.review) { await sendForReview(reply.id); return; }
        location.assign(`/e/${encodeURIComponent(reply.id)}/sua?luu=${reply.revision}`);
        return;
      }
      leaving = false;
      if (answer.status === 412) { await conflict(body); return; }
      const error = reply.error || {};
      showError(error.field, said(error.field, error.message || `Lỗi ${answer.status}`));
    } catch (e) {
      leaving = false;
      showError(null, "Không gửi được (mất kết nối?). Bản của bạn vẫn còn trên trang; hãy thử lại.");
    } finally {
      $("save").disabled = false;
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); save(collect()); });
  $("add-sense").addEventListener("click", () => addSense(null));

  // -- someone else saved meanwhile: both versions, field by field ------------------------------
  const FIELDS = [["headword", "Mục từ"], ["variants", "Biến thể"], ["pos", "Từ loại"], ["ipa", "IPA"],
                  ["authority", "Căn cứ"], ["senses", "Các nghĩa"]];
  const shown = (key, value) => key === "senses"
    ? (value || []).map((s, i) => `${i + 1}. ${Object.values(s.glosses || {}).flat().join("; ")}`).join(" | ")
    : Array.isArray(value) ? value.join("; ") : (value || "");

  async function conflict(mine) {
    const answer = await fetch(`/v1/entries/${encodeURIComponent(data.id)}`, { credentials: "same-origin" });
    const theirs = await answer.json();
    const rows = $("conflict-rows");
    rows.replaceChildren();
    for (const [key, label] of FIELDS) {
      const a = shown(key, mine[key]), b = shown(key, theirs[key]);
      if (a === b) continue;
      const tr = document.createElement("tr");
      tr.dataset.key = key;
      const th = document.createElement("td");
      th.textContent = label;
      tr.appendChild(th);
      for (const [side, text] of [["mine", a], ["theirs", b]]) {
        const td = document.createElement("td");
        const input = Object.assign(document.createElement("input"),
                                    { type: "radio", name: `keep-${key}`, value: side, checked: side === "mine" });
        const span = document.createElement("label");
        span.append(input, " ", text);
        td.appendChild(span);
        tr.appendChild(td);
      }
      rows.appendChild(tr);
    }
    $("conflict").hidden = false;
    $("conflict").scrollIntoView();
    $("resolve").onclick = () => {
      const merged = Object.assign({}, mine);
      for (const tr of rows.children) {
        if (tr.querySelector("input[value=theirs]").checked) merged[tr.dataset.key] = theirs[tr.dataset.key];
      }
      etag = answer.headers.get("ETag");
      fill(merged);
      $("conflict").hidden = true;
      save(collect());
    };
  }

  // -- special letters into the field being typed in ---------------------------------------------
  form.addEventListener("focusin", (event) => {
    if (event.target.matches("input:not([type=radio]), textarea")) lastField = event.target;
  });
  function drawLetters() {
    const row = $("letters");
    const set = (data.letters[$("f-language").value] || "").split(" ").filter(Boolean);
    row.replaceChildren(...set.map((ch) => {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = ch; b.title = "Chèn " + ch;
      b.addEventListener("mousedown", (e) => e.preventDefault());  // the field keeps its focus
      b.addEventListener("click", () => {
        const box = lastField;
        const at = box.selectionStart ?? box.value.length;
        box.value = box.value.slice(0, at) + ch + box.value.slice(box.selectionEnd ?? at);
        box.focus();
        box.setSelectionRange(at + ch.length, at + ch.length);
      });
      return b;
    }));
  }
  $("f-language").addEventListener("change", drawLetters);

  fill(data.entry || { language: $("f-language").value, senses: [] });
  drawLetters();
  saved = JSON.stringify(collect());
})();
