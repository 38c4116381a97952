// A recording campaign on a phone: the word, its meaning, record, listen, keep or redo, next.
// Every take kept waits in the browser (IndexedDB) with an idempotency key made here, and is sent
// through the ordinary upload route when the connection allows: a take sent twice (a reply lost
// on the way back) is answered with the recording kept the first time, so nothing is lost and
// nothing is kept twice.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const section = $("campaign");
  if (!section) return;
  const campaign = section.dataset.campaign, csrf = section.dataset.csrf;
  const items = Array.from(document.querySelectorAll("#c-items > li"));
  const status = $("c-status");
  let index = Math.max(0, items.findIndex((li) => li.dataset.recorded !== "1"));
  let recorder = null, chunks = [], blob = null, sending = false;

  // -- the queue: IndexedDB ----------------------------------------------------------------------
  const opened = new Promise((resolve, reject) => {
    const req = indexedDB.open("tudien-ghi-am", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("takes", { keyPath: "take" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  async function store(mode, fn) {
    const db = await opened;
    return new Promise((resolve, reject) => {
      const tx = db.transaction("takes", mode);
      const result = fn(tx.objectStore("takes"));
      tx.oncomplete = () => resolve(result && result.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const queued = () => store("readonly", (s) => s.getAll());
  const enqueue = (take) => store("readwrite", (s) => s.put(take));
  const dequeue = (key) => store("readwrite", (s) => s.delete(key));

  async function showQueue() {
    const all = await queued();
    $("c-queue").textContent = all.filter((t) => t.campaign === campaign).length;
    $("c-online").textContent = navigator.onLine ? "đang kết nối" : "mất kết nối: bản ghi được giữ lại";
    $("c-done").textContent = items.filter((li) => li.dataset.recorded === "1").length;
  }

  async function send() {
    if (sending) return;
    sending = true;
    try {
      for (const take of await queued()) {
        if (take.campaign !== campaign) continue;
        const body = new FormData();
        body.append("file", take.blob, `ghi-am.${take.kind}`);
        body.append("campaign", take.campaign);
        body.append("take", take.take);
        let answer;
        try {
          answer = await fetch(`/v1/entries/${encodeURIComponent(take.entry)}/audio`, {
            method: "POST", body, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
        } catch (e) {
          status.textContent = "Mất kết nối; bản ghi được giữ lại và sẽ gửi khi có mạng.";
          break;  // offline: try again when the connection returns
        }
        if (answer.ok || (answer.status >= 400 && answer.status < 500 && answer.status !== 429 && answer.status !== 401)) {
          if (!answer.ok) {
            const reply = await answer.json().catch(() => ({}));
            status.textContent = (reply.error && reply.error.message) || `Lỗi ${answer.status}`;
          }
          await dequeue(take.take);  // kept by the server (or refused for good): no longer waiting
        } else {
          break;  // the server is busy or away: later
        }
      }
    } finally {
      sending = false;
      showQueue();
    }
  }

  // -- the walk through the words ------------------------------------------------------------------
  function show() {
    items.forEach((li, i) => { li.hidden = i !== index; });
    $("c-keep").disabled = $("c-redo").disabled = true;
    $("c-audio").hidden = true;
    blob = null;
    if (index >= items.length) status.textContent = "Đã hết các từ của đợt ghi âm. Cảm ơn bạn!";
  }

  $("c-record").addEventListener("click", async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      recorder = new MediaRecorder(stream);
      chunks = [];
      recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
        const audio = $("c-audio");
        audio.src = URL.createObjectURL(blob);
        audio.hidden = false;
        $("c-keep").disabled = $("c-redo").disabled = false;
        status.textContent = "Hãy nghe lại, rồi Giữ hoặc Ghi lại.";
      };
      recorder.start();
      $("c-record").disabled = true;
      $("c-stop").disabled = false;
      status.textContent = "Đang ghi âm…";
    } catch (e) {
      status.textContent = "Không mở được micrô: " + e.message;
    }
  });
  $("c-stop").addEventListener("click", () => {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    $("c-stop").disabled = true;
    $("c-record").disabled = false;
  });
  $("c-redo").addEventListener("click", () => { show(); status.textContent = "Ghi lại từ này."; });
  $("c-keep").addEventListener("click", async () => {
    if (!blob || index >= items.length) return;
    const li = items[index];
    const key = (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await enqueue({ take: key, campaign, entry: li.dataset.entry, blob,
                    kind: (blob.type.split(";")[0].split("/")[1] || "webm"), at: Date.now() });
    li.dataset.recorded = "1";
    index += 1;
    show();
    status.textContent = "Đã giữ bản ghi.";
    showQueue();
    send();
  });
  $("c-next").addEventListener("click", () => { index = Math.min(items.length, index + 1); show(); });

  window.addEventListener("online", send);
  window.addEventListener("offline", showQueue);
  setInterval(send, 3000);  // a connection back without an "online" event (a server restarted)

  // -- signing up as a speaker ----------------------------------------------------------------------
  const form = $("speaker-form");
  if (form) {
    $("sp-licence").addEventListener("change", () => {  // the consent read is the one for the licence chosen
      const text = $("sp-consent-text");
      text.textContent = $("sp-licence").value === "internal" ? text.dataset.internal : text.dataset.open;
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const decade = $("sp-decade").value.trim();
      const body = { language: form.dataset.language, name: $("sp-name").value.trim(),
                     consent: $("sp-consent").checked, licence: $("sp-licence").value };
      for (const f of ["sex", "commune", "district", "province", "variety"]) {
        const v = $(`sp-${f}`).value.trim();
        if (v) body[f] = v;
      }
      if (decade) body.decade = parseInt(decade, 10);
      const answer = await fetch("/v1/speakers", { method: "POST", body: JSON.stringify(body), credentials: "same-origin",
                                                   headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf } });
      const reply = await answer.json().catch(() => ({}));
      if (answer.ok) {
        form.closest("section").hidden = true;
        section.hidden = false;
      } else {
        $("sp-status").textContent = (reply.error && reply.error.message) || `Lỗi ${answer.status}`;
      }
    });
  }
  show();
  showQueue();
  send();
})();
