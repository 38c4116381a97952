"""The sample corpus shipped with the project (see SOURCES.md): a few attributed basic words per
language, so that a fresh install answers real searches before any word list is imported."""

from __future__ import annotations

from pathlib import Path

from dictionary import languages
from dictionary.collection import Collection

from ..importer import import_file
from ..tabular import Columns

FOLDER = Path(__file__).parent
CITATIONS = {
    "mww": "Heimbach, Ernest E. 1979. White Hmong–English Dictionary. Cornell University SEAP.",
    "khm": "Headley, Robert K., Jr., et al. 1977. Cambodian–English Dictionary. Catholic University of America Press.",
    "tyz": "Hoàng Văn Ma, Lục Văn Pảo, Hoàng Chí. 1974. Từ điển Tày–Nùng–Việt. Nxb Khoa học Xã hội.",
}
COLUMNS = Columns(headword="headword", gloss="vie", english="eng")
DESCRIPTION = ("Dữ liệu mẫu do dự án soạn để minh hoạ và kiểm thử, không phải từ điển: vài từ cơ bản, dạng từ "
               "lấy theo một từ điển đã xuất bản, nghĩa tiếng Việt và tiếng Anh do dự án ghi.")


def load_sample(collection: Collection, *, force: bool = False, actor: str = "import") -> bool:
    """Import every sample file not yet in ``collection`` (all of them with ``force``), audited
    with ``actor``.  Returns whether anything was imported."""
    present = {d["name"] for d in collection.datasets()}
    loaded = False
    for path in sorted(FOLDER.glob("*.tsv")):
        language = path.stem
        dataset = f"sample-{language}"
        if dataset in present and not force:
            continue
        import_file(collection, path, "tsv", language=language, columns=COLUMNS, dataset=dataset,
                    citation=f"Dữ liệu mẫu; dạng từ theo {CITATIONS[language]}", licence="CC-BY-4.0",
                    title=f"Dữ liệu mẫu tiếng {languages.name(language)}", description=DESCRIPTION, actor=actor)
        loaded = True
    return loaded
