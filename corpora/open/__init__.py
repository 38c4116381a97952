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

from dictionary import languages
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
ABVD = ("Greenhill, S.J., Blust, R., & Gray, R.D. (2008). The Austronesian Basic Vocabulary Database: From "
        "Bioinformatics to Lexomics. Evolutionary Bioinformatics, 4:271-283, https://abvd.eva.mpg.de/ "
        "(CLDF dataset lexibank/abvd); Vietnamese counterparts from ABVD's Vietnamese list (666) on the same "
        "meaning. This list: ")
# each ABVD list's own source, as the ABVD names it
ABVD_LISTS = {
    "rad": "Tharp, James A. and Y-Bhăm Đuôn-yă. 1980. A Rhade-English dictionary with English-Rhade finderlist. "
           "Canberra: Pacific Linguistics (ANU). ABVD list 741, typed by Andrew C. Hsiu",
    "jra": "Lafont, Pierre-Bernard & Nguyễn Văn Trọng. 1968. Lexique jarai, français, viêtnamien, parler de la "
           "province de Plei Ku. Paris: EFEO. ABVD list 744, typed by Andrew C. Hsiu",
    "rog": "Cobbey, Maxwell and Vurnell Cobbey. 1977. Northern Roglai vocabulary. Huntington Beach, CA: SIL. "
           "ABVD list 745, typed by Andrew C. Hsiu",
    "cja": "Kvoeu-Hor and Timothy Friberg. 1978. Western Chàm vocabulary. Huntington Beach, CA: SIL. "
           "ABVD list 830, typed by Andrew C. Hsiu",
}
ABVD_MEANINGS = ("Tương đương với tiếng Việt ở mức khái niệm: mỗi từ được nối với từ tiếng Việt của cùng một nghĩa "
                 "trong danh sách 210 từ vựng cơ bản của ABVD, không phải bản dịch đã được người biên soạn kiểm tra.")
OMW_WIKT = ("Bond, Francis & Ryan Foster. 2013. Linking and Extending an Open Multilingual Wordnet. ACL 2013; "
            "Khmer and Vietnamese lemmas of the same synset in the Wiktionary data of the Open Multilingual "
            "Wordnet (omwn/omw-data, wns/wikt), https://github.com/omwn/omw-data — text from Wiktionary, "
            "https://www.wiktionary.org/")
SYNSETS = ("Tương đương ở mức nghĩa của WordNet: từ Khmer và từ tiếng Việt được nối qua cùng một nghĩa (synset) "
           "trong bảng dịch của Wiktionary, không phải bản dịch đã được người biên soạn kiểm tra.")


@dataclass(frozen=True)
class OpenDataset:
    name: str
    path: str  # under FOLDER
    format: str
    citation: str | None  # None: the dataset's own metadata says it (CLDF)
    licence: str
    description: str
    title: str  # as public pages name it
    language: str | None = None
    columns: Columns | None = None
    variety: str | None = None

    @property
    def file(self) -> Path:
        return FOLDER / self.path


def _pairs(folder: str, suffix: str, citation: str, headword: str, gloss: str, author: str) -> list[OpenDataset]:
    """One dataset per file ``LANG[-VARIETY]-vie.SUFFIX.tsv`` of ``folder``."""
    out = []
    for path in sorted((FOLDER / folder).glob(f"*-vie.{suffix}.tsv")):
        code, *variety = path.name.removesuffix(f"-vie.{suffix}.tsv").split("-")
        place = f" ({variety[0].capitalize()})" if variety else ""
        out.append(OpenDataset(
            name=f"{suffix}-{path.name.removesuffix(f'-vie.{suffix}.tsv')}", path=f"{folder}/{path.name}",
            format="tsv", citation=citation, licence="CC-BY-4.0", description=RESEARCH + CONCEPTS,
            title=f"Từ vựng {languages.name(code)}{place} – Việt theo khái niệm ({author})",
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
        licence="Apache-2.0", title="Cặp từ Ba Na – Việt của dự án BARTBahnar",
        description=RESEARCH + "Cặp từ Ba Na – Việt do một dự án dịch máy thu thập, còn lẫn lỗi chính tả "
                               "và dòng trùng của nguồn."),
    OpenDataset(
        name="wold-mww", path="wold/mww-vie.tsv", format="tsv", language="mww",
        columns=Columns("mww_form", "vie_form", english="english_meaning"),
        citation=("Haspelmath, Martin & Uri Tadmor (eds.). 2009. World Loanword Database. Leipzig: Max Planck "
                  "Institute for Evolutionary Anthropology, https://wold.clld.org/ — White Hmong vocabulary "
                  "by Martha Ratliff, Vietnamese vocabulary by Mark Alves, paired on WOLD meanings"),
        licence="CC-BY-4.0", title="Từ vựng H'Mông Trắng – Việt của Cơ sở dữ liệu từ vay mượn thế giới (WOLD)",
        description=RESEARCH + "Từ H'Mông Trắng và từ tiếng Việt của cùng một nghĩa trong Cơ sở dữ liệu từ vay "
                               "mượn thế giới (WOLD)."),
    OpenDataset(
        name="sidwellvietic", path="sidwellvietic", format="cldf", citation=None,
        licence="CC-BY-4.0", title="Từ vựng cơ bản các ngôn ngữ Việt–Mường (Sidwell và Alves)",
        description=RESEARCH + "116 khái niệm cơ bản ở 33 phương ngữ và ngôn ngữ Việt–Mường; phiên âm IPA."),
    *_pairs("sidwellbahnaric", "sidwellbahnaric", SIDWELL_BAHNARIC, "src_value_ipa", "vie_forms", "Sidwell"),
    *_pairs("peiros", "peiros", PEIROS, "src_value", "vie_wold_by_concepticon", "Peiros"),
    *(OpenDataset(
        name=f"abvd-{code}", path=f"abvd/{code}-vie.abvd.tsv", format="tsv", language=code,
        columns=Columns("src_form", "vie_form", english="english"), citation=ABVD + source,
        licence="CC-BY-4.0", description=RESEARCH + ABVD_MEANINGS,
        title=f"Từ vựng cơ bản {languages.name(code)} – Việt (ABVD)") for code, source in ABVD_LISTS.items()),
    OpenDataset(
        name="omw-wikt-khm", path="omw-wikt/khm-vie.omw-wikt.tsv", format="tsv", language="khm",
        columns=Columns("khm_form", "vie_form"), citation=OMW_WIKT, licence="CC-BY-SA-3.0",
        description=RESEARCH + SYNSETS, title="Cặp từ Khmer – Việt theo nghĩa WordNet (Open Multilingual Wordnet)"),
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
              progress: Callable | None = None, actor: str = "import:corpora",
              ) -> list[tuple[OpenDataset, ImportReport | str]]:
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
            if (item.file.is_dir() or held["sha256"] == sha256(item.file)) and held.get("title") == item.title:
                out.append((item, LOADED))
                continue
        report = import_file(collection, item.file, item.format, language=item.language, columns=item.columns,
                             dataset=item.name, citation=item.citation, licence=item.licence,
                             variety=item.variety, description=item.description, title=item.title,
                             progress=progress,
                             actor=actor)
        out.append((item, report))
    return out
