"""The openly licensed word lists of languages of Vietnam shipped with the project (SOURCES.md says
where each comes from; LICENSES/ holds the licence texts).

They are research data that linguists published under open licences, not a dictionary any
authority approved; each dataset says so where it is shown.  Loading them makes a fresh install
answer real look-ups in the languages they cover, every result naming its source and licence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dictionary.collection import Collection
from dictionary.files import file_sha256 as sha256

from ..importer import ImportReport, import_file
from ..tabular import Columns

FOLDER = Path(__file__).parent
RESEARCH = ("Dữ liệu nghiên cứu do các nhà ngôn ngữ học công bố với giấy phép mở; không phải từ điển "
            "được cơ quan có thẩm quyền phê duyệt. ")
CONCEPTS = ("Tương đương với tiếng Việt ở mức khái niệm: mỗi từ được nối với từ tiếng Việt của cùng một "
            "khái niệm (Concepticon), không phải bản dịch của người biên soạn.")
SIDWELL_BAHNARIC = ("Sidwell, Paul. 2015. Bahnaric lexical data, published as the CLDF dataset "
                    "lexibank/sidwellbahnaric, https://github.com/lexibank/sidwellbahnaric; Vietnamese "
                    "counterparts joined on Concepticon concepts from the World Loanword Database "
                    "(Vietnamese vocabulary by Mark Alves), https://wold.clld.org/")
PEIROS = ("Peiros, Ilia. Austroasiatic lexical data, published as the CLDF dataset "
          "lexibank/peirosaustroasiatic, https://github.com/lexibank/peirosaustroasiatic; Vietnamese "
          "counterparts joined on Concepticon concepts from the World Loanword Database "
          "(Vietnamese vocabulary by Mark Alves), https://wold.clld.org/")


@dataclass(frozen=True)
class OpenDataset:
    name: str
    path: str  # under FOLDER
    format: str
    citation: str | None  # None: the dataset's own metadata says it (CLDF)
    licence: str
    description: str
    language: str | None = None
    columns: Columns | None = None
    variety: str | None = None

    @property
    def file(self) -> Path:
        return FOLDER / self.path


def _pairs(folder: str, suffix: str, citation: str, headword: str, gloss: str) -> list[OpenDataset]:
    """One dataset per file ``LANG[-VARIETY]-vie.SUFFIX.tsv`` of ``folder``."""
    out = []
    for path in sorted((FOLDER / folder).glob(f"*-vie.{suffix}.tsv")):
        code, *variety = path.name.removesuffix(f"-vie.{suffix}.tsv").split("-")
        out.append(OpenDataset(
            name=f"{suffix}-{path.name.removesuffix(f'-vie.{suffix}.tsv')}", path=f"{folder}/{path.name}",
            format="tsv", citation=citation, licence="CC-BY-4.0", description=RESEARCH + CONCEPTS,
            language=code, columns=Columns(headword, gloss, english="english"),
            variety=variety[0].capitalize() if variety else None))
    return out


CATALOGUE: tuple[OpenDataset, ...] = (
    OpenDataset(
        name="bahnaric", path="bartbahnar/bahnaric.csv", format="csv", language="bdq",
        columns=Columns("Bahnaric", "Vietnamese"),
        citation=("BARTBahnar: Bahnar–Vietnamese dictionary pairs collected from field work, church texts "
                  "and radio transcripts. GitHub repository IAmSkyDra/BARTBahnar, "
                  "https://github.com/IAmSkyDra/BARTBahnar"),
        licence="Apache-2.0",
        description=RESEARCH + "Cặp từ Ba Na – Việt do một dự án dịch máy thu thập, còn lẫn lỗi chính tả "
                               "và dòng trùng của nguồn."),
    OpenDataset(
        name="wold-mww", path="wold/mww-vie.tsv", format="tsv", language="mww",
        columns=Columns("mww_form", "vie_form", english="english_meaning"),
        citation=("Haspelmath, Martin & Uri Tadmor (eds.). 2009. World Loanword Database. Leipzig: Max Planck "
                  "Institute for Evolutionary Anthropology, https://wold.clld.org/ — White Hmong vocabulary "
                  "by Martha Ratliff, Vietnamese vocabulary by Mark Alves, paired on WOLD meanings"),
        licence="CC-BY-4.0",
        description=RESEARCH + "Từ H'Mông Trắng và từ tiếng Việt của cùng một nghĩa trong Cơ sở dữ liệu từ vay "
                               "mượn thế giới (WOLD)."),
    OpenDataset(
        name="sidwellvietic", path="sidwellvietic", format="cldf", citation=None,
        licence="CC-BY-4.0",
        description=RESEARCH + "116 khái niệm cơ bản ở 33 phương ngữ và ngôn ngữ Việt–Mường; phiên âm IPA."),
    *_pairs("sidwellbahnaric", "sidwellbahnaric", SIDWELL_BAHNARIC, "src_value_ipa", "vie_forms"),
    *_pairs("peiros", "peiros", PEIROS, "src_value", "vie_wold_by_concepticon"),
)


def find(names: list[str] | None) -> list[OpenDataset]:
    """The catalogue's datasets named (all when ``names`` is empty); KeyError naming an unknown one."""
    if not names:
        return list(CATALOGUE)
    known = {d.name: d for d in CATALOGUE}
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(", ".join(missing))
    return [known[n] for n in names]


LOADED = "already loaded from the same file"
NOT_OURS = "a dataset of this name was imported from elsewhere; left as it is (--force replaces it)"


def load_open(collection: Collection, names: list[str] | None = None, *, force: bool = False,
              progress: Callable | None = None) -> list[tuple[OpenDataset, ImportReport | str]]:
    """Import the named open datasets (all by default), published, with their citation, licence
    and description.  Unless ``force``, one already loaded from the same file is skipped, and so
    is a dataset of the same name that someone imported from elsewhere (an admin's own copy is
    never replaced by the shipped one).  The answer pairs each dataset with its import report, or
    the reason it was skipped."""
    present = {d["name"]: d for d in collection.datasets()}
    out: list[tuple[OpenDataset, ImportReport | str]] = []
    for item in find(names):
        held = present.get(item.name)
        if held is not None and not force:
            if held.get("description") != item.description:
                out.append((item, NOT_OURS))
                continue
            if item.file.is_dir() or held["sha256"] == sha256(item.file):
                out.append((item, LOADED))
                continue
        report = import_file(collection, item.file, item.format, language=item.language, columns=item.columns,
                             dataset=item.name, citation=item.citation, licence=item.licence,
                             variety=item.variety, description=item.description, progress=progress,
                             actor="import:corpora")
        out.append((item, report))
    return out
