// Live suggestions, the special-letter row of the chosen language, audio that says when it
// fails, and copy buttons. The pages work without this script; it only saves effort.
(function () {
  "use strict";

  // -- suggestions and special letters ---------------------------------------------------------
  const box = document.getElementById("q");
  const list = document.getElementById("suggestions");
  const from = document.getElementById("from");
  const row = document.getElementById("letters");
  if (box && list && from) {
    let timer = null, last = "";
    const suggest = () => {
      const q = box.value.trim();
      if (!q || q === last) return;
      last = q;
      const params = new URLSearchParams({ q });
      if (from.value) params.set("lang", from.value);
      fetch("/v1/suggest?" + params).then(r => r.ok ? r.json() : { items: [] }).then(body => {
        list.replaceChildren(...(body.items || []).map(item => {
          const option = document.createElement("option");
          option.value = item.text;
          // the language and a short meaning, so that a word is chosen knowing what it is
          option.label = item.language_name + (item.meaning ? " — " + item.meaning : "");
          return option;
        }));
      }).catch(() => {});
    };
    box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 150); });
  }

  if (box && from && row) {
    const letters = JSON.parse(row.dataset.letters || "{}");
    const buttons = () => Array.from(row.querySelectorAll("button"));
    // one tab stop for the whole row; arrow keys, Home and End move inside it
    const focusAt = (i) => {
      const all = buttons();
      if (!all.length) return;
      i = (i + all.length) % all.length;
      all.forEach((b, j) => { b.tabIndex = j === i ? 0 : -1; });
      all[i].focus();
    };
    row.addEventListener("keydown", (event) => {
      const all = buttons(), at = all.indexOf(document.activeElement);
      if (at < 0) return;
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      if (step) focusAt(at + step);
      else if (event.key === "Home") focusAt(0);
      else if (event.key === "End") focusAt(all.length - 1);
      else return;
      event.preventDefault();
    });
    const draw = () => {
      const set = (letters[from.value] || "").split(" ").filter(Boolean);
      row.hidden = set.length === 0;  // a language typed with plain letters needs no row
      row.replaceChildren(...set.map((ch, i) => {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = ch; b.tabIndex = i === 0 ? 0 : -1;
        b.setAttribute("aria-label", "Chèn chữ " + ch);
        b.addEventListener("click", () => {
          const at = box.selectionStart ?? box.value.length;
          box.value = box.value.slice(0, at) + ch + box.value.slice(box.selectionEnd ?? at);
          box.focus(); box.setSelectionRange(at + ch.length, at + ch.length);
          box.dispatchEvent(new Event("input"));
        });
        return b;
      }));
    };
    from.addEventListener("change", draw);
    draw();
  }

  // -- audio ---------------------------------------------------------------------------------
  const say = (holder, text) => {
    const note = holder.querySelector(".audio-error");
    if (note) { note.textContent = text; note.hidden = false; }
    holder.classList.add("failed");
    const retry = holder.querySelector("button.retry");
    if (retry) retry.hidden = false;
  };
  const voiceWords = (clip) => clip.approximate
    ? "Giọng máy tiếng Việt, đọc gần đúng (" + clip.engine + ")"
    : "Giọng máy (" + clip.engine + ")";
  // a speech engine resting after a failure: the player says so and asks again on "Thử lại"
  document.querySelectorAll(".audio-resting").forEach((holder) => {
    const retry = holder.querySelector("button.retry");
    retry.addEventListener("click", () => {
      retry.disabled = true;
      fetch(holder.dataset.pending, { credentials: "same-origin" })
        .then(r => r.json().then(body => ({ ok: r.ok, body })))
        .then(({ ok, body }) => {
          retry.disabled = false;
          if (!ok || !body.clip) {
            say(holder, (body.error && body.error.message) || "Giọng máy vẫn chưa đọc được từ này. Hãy thử lại sau ít phút.");
            return;
          }
          const audio = document.createElement("audio");
          audio.controls = true; audio.src = body.clip.url;
          holder.querySelector(".voice").textContent = voiceWords(body.clip);
          holder.querySelector(".audio-error").hidden = true;
          holder.classList.remove("failed", "audio-resting"); holder.classList.add("audio-synthetic");
          retry.hidden = true;
          holder.prepend(audio);
          audio.play().catch(() => {});
        }).catch(() => { retry.disabled = false; say(holder, "Không kết nối được tới máy chủ. Hãy thử lại sau."); });
    });
  });
  document.querySelectorAll(".audio").forEach((holder) => {
    const audio = holder.querySelector("audio");
    if (!audio) return;
    audio.addEventListener("error", () => {
      say(holder, holder.dataset.kind === "synthetic"
        ? "Không phát được: giọng máy đang tạm nghỉ hoặc chưa đọc được từ này lúc này."
        : "Không phát được bản ghi này. Hãy thử lại sau.");
    });
    const again = holder.querySelector("button.retry");
    if (again) {
      again.addEventListener("click", () => {
        again.hidden = true;
        const note = holder.querySelector(".audio-error");
        if (note) note.hidden = true;
        holder.classList.remove("failed");
        audio.load();
        audio.play().catch(() => {});
      });
    }
    // synthetic speech made on first play: once it exists, name the voice that really spoke
    audio.addEventListener("playing", () => {
      const pending = holder.dataset.pending;
      if (!pending) return;
      delete holder.dataset.pending;
      fetch(pending, { credentials: "same-origin" }).then(r => r.ok ? r.json() : null).then(body => {
        const clip = body && body.clip;
        if (!clip || !clip.engine) return;
        const words = voiceWords(clip);
        const label = holder.querySelector(".voice");
        if (label) label.textContent = words;
        const button = holder.querySelector("button.play");
        if (button) { button.title = words; }
      }).catch(() => {});
    });
    const button = holder.querySelector("button.play");
    if (button) {
      button.addEventListener("click", () => {
        if (!audio.paused) { audio.pause(); return; }
        audio.play().catch(() => {});
      });
      audio.addEventListener("play", () => { button.textContent = "❚❚"; button.classList.add("playing"); });
      const reset = () => { button.textContent = "▶"; button.classList.remove("playing"); };
      audio.addEventListener("pause", reset);
      audio.addEventListener("ended", reset);
    }
  });

  // -- print ---------------------------------------------------------------------------------
  // folded senses and sources print unfolded; the page is as it was afterwards
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = Array.from(document.querySelectorAll("details.more:not([open]), details.source:not([open])"));
    opened.forEach((d) => { d.open = true; });
  });
  window.addEventListener("afterprint", () => { opened.forEach((d) => { d.open = false; }); opened = []; });

  // -- copy ----------------------------------------------------------------------------------
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const source = document.getElementById(button.dataset.copy);
      const text = source.value !== undefined ? source.value : source.textContent.trim();
      const status = document.getElementById(button.dataset.copy + "-status");
      const tell = (words) => { if (status) status.textContent = words; };
      // where the browser refuses the clipboard, the text is selected for the reader to copy
      const byHand = () => {
        select(source);
        let copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        tell(copied ? "Đã chép vào bộ nhớ tạm." : "Đã chọn sẵn: hãy bấm Ctrl+C (hoặc giữ và chọn Sao chép) để chép.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(() => tell("Đã chép vào bộ nhớ tạm."), byHand);
      } else {
        byHand();
      }
    });
  });
  function select(node) {
    if (node.select) { node.select(); return; }
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges(); selection.addRange(range);
  }
})();
