"""The entry model, and the content a writer sends.

An entry is a headword in one language as its source wrote it (NFC), with its variants, senses
and provenance.  Glosses are keyed by ISO 639-3 code (``vie``, ``eng``, …).  Whatever a source
holds that has no place here is kept in ``extra`` — never dropped.

:class:`EntryContent` (with :class:`SenseContent` and :class:`ExampleContent`) is what a writer
sends: its limits and text rules are declared here once.  The API's request model derives from
it, so the OpenAPI document states them; editing takes the content it validated (or validates a
dict through it) and makes the entry from it without checking it again.  An imported entry keeps
what its source holds, beyond those limits; its headword obeys the same rules of what can be shown
(:func:`headword_problem`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from functools import partial
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dictionary import languages
from dictionary.errors import InvalidEntry, UnknownLanguage
from dictionary.text.normalize import PLAIN_LINE, PLAIN_TEXT, WRITTEN_LINE, WRITTEN_TEXT, unshowable


class Status(StrEnum):
    """Where an entry stands in review.  The public sees an entry's published revision only."""

    draft = "draft"  # being written; seen by the accounts of its language
    review = "review"  # sent to the editors
    published = "published"  # approved: what the public reads
    retired = "retired"  # withdrawn from the public; its history stays


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Example(_Strict):
    text: str
    translations: dict[str, str] = Field(default_factory=dict)
    source: str | None = None


class Sense(_Strict):
    glosses: dict[str, list[str]] = Field(default_factory=dict)
    definitions: dict[str, str] = Field(default_factory=dict)
    examples: list[Example] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    pos: str | None = None
    notes: list[str] = Field(default_factory=list)
    location: str | None = None  # file:line or element path of the row this sense came from
    extra: dict[str, Any] = Field(default_factory=dict)


class MediaRef(_Strict):
    """A pronunciation recording named by the source (a LIFT ``<media href>``)."""

    href: str
    label: str | None = None
    form: str | None = None


# The dataset of entries written in the service's own editor (not imported from a source).
EDITORS_DATASET = "editors"
EDITORS_CITATION = "Biên soạn trực tiếp trên Từ điển DTTS"


class Provenance(_Strict):
    dataset: str
    citation: str | None = None
    licence: str | None = None
    source_file: str | None = None
    location: str | None = None


class Entry(_Strict):
    id: str
    language: str
    headword: str
    variants: list[str] = Field(default_factory=list)
    pos: str | None = None
    ipa: str | None = None
    senses: list[Sense] = Field(default_factory=list)
    pronunciations: list[MediaRef] = Field(default_factory=list)
    provenance: Provenance
    status: Status = Status.draft
    # the decision or standard that fixed the term (a ministry decision's number and date)
    authority: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


def entry_id(language: str, dataset: str, key: str) -> str:
    """A stable id: the same source record gets the same id on every import, so URLs last."""
    digest = hashlib.blake2b(f"{dataset}\x1f{language}\x1f{key}".encode(), digest_size=6)
    return f"{language}-{digest.hexdigest()}"


def meanings(body: dict[str, Any]) -> int:
    """How many meanings an entry (as a stored dict) gives: each sense counts as many as the
    glosses it lists in its best-glossed language, and at least one.  A word glossed by a
    hundred meanings is rarely the one an official is looking for by one of them."""
    total = 0
    for sense in body.get("senses") or ():
        glosses = sense.get("glosses") or {}
        total += max((len(g) for g in glosses.values()), default=1) or 1
    return total


# -- the content a writer sends ---------------------------------------------------------------------

# What each text pattern, and each rule of :func:`~dictionary.text.normalize.unshowable`, means,
# said to a person (the API says the same of its request's fields).
# An authority names the decision or publication that fixed the term, with its number or its year
# ("Quyết định số 1234/QĐ-UBDT", "TCVN 5712:1993"), never a bare "có": a plain line with a digit.
REFERENCE_LINE = PLAIN_LINE[:-1] + "[0-9]" + PLAIN_LINE[1:]
PATTERN_MESSAGES = {
    WRITTEN_TEXT: "cần ít nhất một chữ nhìn thấy được và không được chứa ký tự điều khiển",
    PLAIN_TEXT: "không được chứa ký tự điều khiển; hãy gõ lại hoặc dán dưới dạng văn bản thường",
    WRITTEN_LINE: "cần ít nhất một chữ nhìn thấy được và không được chứa ký tự điều khiển; phải nằm trên một dòng",
    PLAIN_LINE: "phải nằm trên một dòng và không được chứa ký tự điều khiển; hãy gõ lại hoặc dán dưới dạng "
                "văn bản thường",
    REFERENCE_LINE: "phải nêu văn bản đã xác định thuật ngữ, với số hiệu hoặc năm của nó (ví dụ “Quyết định số "
                    "1234/QĐ-UBDT”, “TCVN 5712:1993”), trên một dòng, không có ký tự điều khiển",
}
RULE_MESSAGES = {
    "unusable": "chứa ký tự điều khiển hay ký tự không dùng cho văn bản (như U+FFFE, U+10FFFF); hãy gõ lại "
                "hoặc dán dưới dạng văn bản thường",
    "line_break": "phải nằm trên một dòng (không có ký tự xuống dòng)",
    "unseen": "cần ít nhất một chữ nhìn thấy được (không chỉ khoảng trắng hay ký tự vô hình như U+200B, U+061C)",
    "bidi": "có ký tự điều khiển hướng viết (U+202A–U+202E, U+2066–U+2069) không đóng mở thành cặp trong "
            "cùng một đoạn",
    "marks": "có hơn 4 dấu kết hợp trên một chữ cái; hãy gõ lại chữ đó",
}
# The same, for an importer's report (in English, as its other problems are).
RULE_PROBLEMS = {
    "unusable": "the headword holds a noncharacter (U+FFFE, U+10FFFF…)",
    "line_break": "the headword holds a line break",
    "unseen": "the headword has no visible character (only spaces or invisible ones such as U+200B)",
    "bidi": "the headword's bidirectional controls (U+202A–U+202E, U+2066–U+2069) do not pair up",
    "marks": "the headword has more than 4 combining marks on one letter",
}


def _shown(value: str, *, line: bool, required: bool) -> str | None:
    """A text as it is stored: NFC and trimmed, once the rules of what can be shown hold (an
    optional text that shows nothing is absent)."""
    rule = unshowable(value, line=line, required=required)
    if rule is not None:
        raise PydanticCustomError("unshowable_text", RULE_MESSAGES[rule], {"rule": rule})
    text = unicodedata.normalize("NFC", value).strip()
    if not required and unshowable(text, line=line) == "unseen":
        return None
    return text


_LINE = AfterValidator(partial(_shown, line=True, required=True))  # a required text of one line
_LINE_OR_NONE = AfterValidator(partial(_shown, line=True, required=False))
_TEXT = AfterValidator(partial(_shown, line=False, required=True))  # a required text, paragraphs allowed
_TEXT_OR_NONE = AfterValidator(partial(_shown, line=False, required=False))

# Texts of one line (a headword, a gloss) and texts that may hold paragraphs (a definition, a
# note, a comment); a required text shows at least one character, an optional one that shows
# nothing is absent.  The patterns are the character rules as the OpenAPI document states them.
Headword = Annotated[str, Field(max_length=200, pattern=WRITTEN_LINE), _LINE]
Gloss = Annotated[str, Field(max_length=500, pattern=WRITTEN_LINE), _LINE]
ExampleText = Annotated[str, Field(max_length=1000, pattern=WRITTEN_LINE), _LINE]
Definition = Annotated[str, Field(max_length=4000, pattern=WRITTEN_TEXT), _TEXT]
Domain = Annotated[str, Field(max_length=100, pattern=PLAIN_LINE), _LINE_OR_NONE]
Note = Annotated[str, Field(max_length=2000, pattern=PLAIN_TEXT), _TEXT_OR_NONE]
Pos = Annotated[str, Field(max_length=50, pattern=PLAIN_LINE), _LINE_OR_NONE]
Ipa = Annotated[str, Field(max_length=200, pattern=PLAIN_LINE), _LINE_OR_NONE]

Authority = Annotated[str, Field(max_length=300, pattern=REFERENCE_LINE), _LINE_OR_NONE]
Source = Annotated[str, Field(max_length=500, pattern=PLAIN_LINE), _LINE_OR_NONE]
Comment = Annotated[str, Field(max_length=2000, pattern=PLAIN_TEXT), _TEXT_OR_NONE]
SuggestionText = Annotated[str, Field(max_length=2000, pattern=WRITTEN_TEXT), _TEXT]
Contact = Annotated[str, Field(max_length=200, pattern=PLAIN_LINE), _LINE_OR_NONE]


class ExampleContent(_Strict):
    text: ExampleText
    translations: dict[str, ExampleText] = Field(default_factory=dict, description="bản dịch theo mã ngôn ngữ")
    source: Source | None = None


class SenseContent(_Strict):
    glosses: dict[str, Annotated[list[Gloss], Field(min_length=1, max_length=100)]] = Field(
        min_length=1, description="nghĩa dịch theo mã ngôn ngữ, ví dụ {\"vie\": [\"nước\"]}")
    definitions: dict[str, Definition] = Field(default_factory=dict)
    examples: list[ExampleContent] = Field(default_factory=list, max_length=50)
    domains: list[Domain] = Field(default_factory=list, max_length=20)
    notes: list[Note] = Field(default_factory=list, max_length=20)
    pos: Pos | None = None

    @model_validator(mode="after")
    def _canonical(self) -> SenseContent:
        self.glosses = {code: list(dict.fromkeys(texts)) for code, texts in self.glosses.items()}
        self.domains = [d for d in self.domains if d]
        self.notes = [n for n in self.notes if n]
        return self


class EntryContent(_Strict):
    """An entry as a writer sends it: every text NFC and trimmed, of one line where the field is a
    word or a phrase, showing at least one character where it is required, with no control
    character or noncharacter, no bidirectional control left open or closed unopened, and no
    more than 4 combining marks on one letter."""

    language: str = Field(max_length=3, description="mã ISO 639-3 của ngôn ngữ mục từ, ví dụ bdq")
    headword: Headword = Field(description="mục từ, đúng như cách viết của ngôn ngữ")
    variants: list[Headword] = Field(default_factory=list, max_length=50)
    pos: Pos | None = None
    ipa: Ipa | None = None
    senses: list[SenseContent] = Field(default_factory=list, max_length=100)
    authority: Authority | None = Field(None, description="quyết định hay tiêu chuẩn đã xác định thuật ngữ (số, ngày)")

    @model_validator(mode="after")
    def _known_languages(self) -> EntryContent:
        """Every language named is one the registry knows (InvalidEntry naming the field); a
        variant the headword or another variant already gives is said once."""
        self.language = language_code(self.language, "language")
        for i, sense in enumerate(self.senses):
            where = f"senses[{i}]"
            sense.glosses = {language_code(c, f"{where}.glosses"): g for c, g in sense.glosses.items()}
            sense.definitions = {language_code(c, f"{where}.definitions"): d for c, d in sense.definitions.items()}
            for j, example in enumerate(sense.examples):
                example.translations = {language_code(c, f"{where}.examples[{j}].translations"): t
                                        for c, t in example.translations.items()}
        self.variants = [v for v in dict.fromkeys(self.variants) if v != self.headword]
        return self

    @classmethod
    def of(cls, data: EntryContent | dict) -> EntryContent:
        """``data`` as content: itself when it already is (validated once, where it was made),
        else validated now, InvalidEntry naming the first field that cannot be stored."""
        if isinstance(data, EntryContent):
            return data
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise invalid(exc) from None

    def entry(self, entry_id: str, provenance: Provenance) -> Entry:
        """A new entry with this content (made without validating it again)."""
        return Entry.model_construct(id=entry_id, provenance=provenance, **self._fields([]))

    def replacing(self, kept: Entry) -> Entry:
        """The stored entry ``kept`` with this content: its id, status, source, recordings and what
        it holds beyond these fields stay, and each sense keeps the source row and unmapped
        columns of the sense at the same place."""
        return kept.model_copy(update=self._fields(kept.senses))

    def _fields(self, old: list[Sense]) -> dict[str, Any]:
        senses = [Sense.model_construct(
            **s.model_dump(exclude={"examples"}),
            examples=[Example.model_construct(**e.model_dump()) for e in s.examples],
            location=old[i].location if i < len(old) else None,
            extra=old[i].extra if i < len(old) else {},
        ) for i, s in enumerate(self.senses)]
        return {**self.model_dump(include=set(EntryContent.model_fields), exclude={"senses"}), "senses": senses}


def language_code(value: object, field: str) -> str:
    """``value`` as the code of a language the registry knows; InvalidEntry naming ``field``."""
    try:
        return languages.get(value).code  # not a str: UnknownLanguage
    except UnknownLanguage:
        raise InvalidEntry(field, f"{value!r} không phải mã ngôn ngữ ISO 639-3 (ba chữ cái thường, "
                                  "ví dụ 'vie', 'bdq'); danh sách ở /v1/languages.") from None


def explain(error: Mapping[str, Any]) -> str:
    """A pydantic error on a writer's text, said to a person."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[ctx["pattern"]]
    if kind == "missing":
        return "không được để trống"
    if kind == "string_type":
        return "phải là một chuỗi ký tự"
    if kind == "string_too_long":
        return f"dài {len(error.get('input') or '')} ký tự; tối đa {ctx.get('max_length')}"
    return str(error.get("msg"))


def field_name(loc: tuple) -> str:
    """``("senses", 0, "glosses")`` → ``senses[0].glosses``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def invalid(exc: ValidationError) -> InvalidEntry:
    """The first problem of a validation, as the domain says it."""
    first = exc.errors()[0]
    return InvalidEntry(field_name(first.get("loc", ())), explain(first) + ".")


def checked(kind: Any, value: object, field: str) -> Any:
    """``value`` as one of the text types above makes it (``Comment``, ``SuggestionText``…), for a
    text that comes in without a request model (a form of the editors' pages)."""
    adapter = _ADAPTERS.get(id(kind))
    if adapter is None:
        adapter = _ADAPTERS[id(kind)] = TypeAdapter(kind)
    try:
        return adapter.validate_python("" if value is None else value)  # absent: as blank
    except ValidationError as exc:
        raise InvalidEntry(field, explain(exc.errors()[0]) + ".") from None


_ADAPTERS: dict[int, TypeAdapter] = {}


def headword_problem(headword: str) -> str | None:
    """What makes an imported headword (as its source wrote it) one that cannot be shown, said
    for the importer's report; None when it can.  The rules of :class:`EntryContent`'s texts,
    but for the control characters a source's bytes may hold (the keys leave them out)."""
    rule = unshowable(headword, controls=False)
    return RULE_PROBLEMS[rule] if rule is not None else None
