"""The languages' response schemas: the list, one language, one page of its entries by letter."""

from __future__ import annotations

from pydantic import Field

from .common import _Public


class LanguagePublic(_Public):
    code: str = Field(description="ISO 639-3")
    name_vi: str | None
    name_en: str
    scripts: list[str] = Field(description="ISO 15924 codes")
    tag: str = Field(description="BCP 47 language tag, for lang attributes (km, vi, bdq)")
    entries: int = Field(description="published entries")
    recorded: int = Field(description="published entries with at least one recording")
    has_entries: bool
    url: str = Field(description="the language's page: names, datasets, entries by letter")


class LanguagesPublic(_Public):
    languages: list[LanguagePublic]


class LanguageDatasetPublic(_Public):
    name: str
    title: str = Field(description="the dataset's name as a person writes it (its name where it has none)")
    entries: int = Field(description="this language's published entries from the dataset")
    citation: str | None
    licence: str | None
    description: str | None = Field(description="what the data is (in Vietnamese)")


class LetterPublic(_Public):
    letter: str = Field(description="a letter of the language's alphabet, in its order; … holds the words "
                                    "that start with none")
    entries: int


class LanguageDetailPublic(LanguagePublic):
    other_names: list[str]
    alphabet_source: str | None = Field(description="where the alphabet the letters follow is published")
    datasets: list[LanguageDatasetPublic]
    letters: list[LetterPublic]


class LetterEntryPublic(_Public):
    id: str
    headword: str
    url: str = Field(description="the entry's page")
    glosses: list[str] = Field(description="its first Vietnamese glosses")
    variety: str | None


class LanguageEntriesPublic(_Public):
    language: str
    letter: str | None = Field(description="the letter shown (the first with entries when none was asked)")
    total: int = Field(description="entries under this letter")
    position: int = Field(description="how many entries of the letter come before this page")
    entries: list[LetterEntryPublic]
    next: str | None = Field(description="pass as after= for the next page; null on the last")
    previous: str | None = Field(description="pass as after= for the previous page (empty: the letter's first "
                                             "page); null on the first")
