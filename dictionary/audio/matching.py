"""Recordings in a folder matched to entries, for ``tudien audio import``: by headword, or by the
media a LIFT file names."""

from __future__ import annotations

from pathlib import Path

from dictionary.storage.entries import Entries
from dictionary.text.normalize import canonical


def match_folder(entries: Entries, folder: Path, language: str) -> tuple[list[tuple[str, Path]], list[str]]:
    """Files named by headword (``ntoo.wav``; ``ntoo__2.wav`` for a second take) → entries of
    ``language`` with that headword (compared in canonical form)."""
    by_headword: dict[str, list[str]] = {}
    for entry_id, headword in entries.headwords(language):
        by_headword.setdefault(canonical(headword).casefold(), []).append(entry_id)
    pairs, problems = [], []
    files = sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        problems.append(f"{folder}: thư mục không có tệp nào")
    for path in files:
        name = canonical(path.stem.split("__")[0]).casefold()
        found = by_headword.get(name, [])
        if not found:
            problems.append(f"{path}: không có mục từ {language} nào viết là “{path.stem.split('__')[0]}”")
        elif len(found) > 1:
            problems.append(f"{path}: {len(found)} mục từ cùng viết là “{name}” ({', '.join(found[:5])}); "
                            "hãy tải lên qua API theo mã mục từ")
        else:
            pairs.append((found[0], path))
    return pairs, problems


def match_lift_media(entries: Entries, folder: Path, dataset: str) -> tuple[list[tuple[str, Path]], list[str]]:
    """Pronunciation media named in a LIFT file (kept on its entries at import) → files under
    ``folder`` (FieldWorks keeps them in ``audio/`` beside the .lift file)."""
    pairs, problems = [], []
    rows = entries.dataset_entries(dataset)
    if not rows:
        problems.append(f"không có bộ dữ liệu {dataset!r} trong kho; hãy nhập tệp LIFT trước")
    folder = Path(folder).resolve()
    for entry_id, body in rows:
        for ref in body.get("pronunciations", ()):
            href = ref.get("href", "")
            candidates = [folder / href, folder / "audio" / href, folder / "AudioVisual" / href]
            path = next((c for c in candidates if c.resolve().is_relative_to(folder) and c.is_file()), None)
            if path is None:
                problems.append(f"{entry_id}: không tìm thấy tệp âm thanh {href!r} trong {folder}")
            else:
                pairs.append((entry_id, path))
    if rows and not pairs and not problems:
        problems.append(f"bộ dữ liệu {dataset!r} không nêu tệp âm thanh nào (<media href> trong LIFT)")
    return pairs, problems
