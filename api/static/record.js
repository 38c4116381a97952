// Recording a pronunciation in the browser (the entry editor and the entry page, for a signed-in
// account of the entry's language): the microphone through MediaRecorder, heard back, then uploaded
// through the API's upload route with the page's CSRF token, so the same checks and levelling apply.
(function () {
  "use strict";
  const section = document.getElementById("record");
  if (!section) return;
  const $ = (id) => document.getElementById(id);
  const entryId = section.dataset.entry, csrf = section.dataset.csrf;
  const start = $("rec-start");
  let recorder = null, chunks = [], blob = null;
  const status = $("rec-status");
  start.addEventListener("click", async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      recorder = new MediaRecorder(stream);
      chunks = [];
      recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
        const audio = $("rec-audio");
        audio.src = URL.createObjectURL(blob);
        audio.hidden = false;
        $("rec-upload").disabled = false;
        status.textContent = `Đã ghi ${(blob.size / 1024).toFixed(0)} KB; hãy nghe lại rồi tải lên.`;
      };
      recorder.start();
      start.disabled = true;
      $("rec-stop").disabled = false;
      status.textContent = "Đang ghi âm…";
    } catch (e) {
      status.textContent = "Không mở được micrô: " + e.message;
    }
  });
  $("rec-stop").addEventListener("click", () => {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    $("rec-stop").disabled = true;
    start.disabled = false;
  });
  $("rec-upload").addEventListener("click", async () => {
    if (!blob) return;
    const body = new FormData();
    const kind = (blob.type.split(";")[0].split("/")[1] || "webm");
    body.append("file", blob, `ghi-am.${kind}`);
    body.append("speaker", $("rec-speaker").value.trim());
    body.append("licence", $("rec-licence").value);
    if ($("rec-dialect").value.trim()) body.append("dialect", $("rec-dialect").value.trim());
    $("rec-upload").disabled = true;
    status.textContent = "Đang tải lên…";
    const answer = await fetch(`/v1/entries/${encodeURIComponent(entryId)}/audio`,
                               { method: "POST", body, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
    const reply = await answer.json().catch(() => ({}));
    if (answer.ok) {
      status.textContent = `Đã tải lên (${Math.round(reply.clip.duration_ms)} ms).`;
      status.dataset.clip = reply.clip.id;
    } else {
      status.textContent = (reply.error && reply.error.message) || `Lỗi ${answer.status}`;
      $("rec-upload").disabled = false;
    }
  });
})();
