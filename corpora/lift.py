"""LIFT XML (SIL FieldWorks and other lexicon tools): a ``.lift`` file, or a ``.zip`` holding one.

Headword from ``lexical-unit`` or, when it has none (FieldWorks exports often put it only there),
``citation``.  Senses keep glosses and definitions per language, examples with translations,
semantic domains, notes and every other trait; pronunciation media references are kept for the
audio service.  LIFT writing-system tags (``en``, ``ms``, ``dtr-fonipa``) become ISO 639-3 codes.
Problems are located by file line and element path.
"""

from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import iso639
from lxml import etree

from dictionary.errors import ImportRejected
from dictionary.model import Entry, Example, MediaRef, Provenance, Sense, entry_id, headword_problem
from dictionary.text.normalize import as_written, canonical

from .base import Parsed, Problem, ReadOptions

_DOMAIN_TRAITS = ("semantic-domain-ddp4", "semantic-domain", "semantic_domain")


@lru_cache(maxsize=256)
def iso639_3(tag: str) -> str:
    """``en`` → ``eng``; ``dtr-fonipa`` → ``dtr``; an unknown tag is kept as written."""
    base = tag.split("-")[0].split("_")[0].lower()
    try:
        if len(base) == 2:
            return iso639.Language.from_part1(base).part3
        if len(base) == 3:
            return iso639.Language.from_part3(base).part3
    except iso639.LanguageNotFoundError:
        pass
    return tag


def _text(element) -> str:
    """The text of a LIFT multitext's ``<text>`` (spans flattened), NFC."""
    node = element.find("text")
    if node is None:
        return ""
    return as_written("".join(node.itertext()))


def _forms(element) -> list[tuple[str, str]]:
    """``(lang, text)`` of every ``<form>`` under ``element``, in order."""
    if element is None:
        return []
    return [(f.get("lang", ""), _text(f)) for f in element.findall("form") if _text(f)]


def _open(path: Path) -> tuple[bytes, str]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".lift")]
            if len(members) != 1:
                found = ", ".join(members) or "none"
                raise ImportRejected(
                    f"{path.name}: a LIFT archive must hold exactly one .lift file (found: {found})."
                )
            return archive.read(members[0]), f"{path.name}!{members[0]}"
    return path.read_bytes(), path.name


def read_lift(path: Path, options: ReadOptions) -> Parsed:
    """The importers' reader of LIFT (:mod:`corpora.formats`)."""
    return parse_lift(path, language=options.language, dataset=options.dataset, citation=options.citation,
                      licence=options.licence)


def parse_lift(
    path: Path,
    *,
    language: str | None,
    dataset: str,
    citation: str | None = None,
    licence: str | None = None,
) -> Parsed:
    data, name = _open(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise ImportRejected(
            f"{name}:{line}: this is not well-formed XML ({exc.msg}); is it really a LIFT file?"
        ) from None
    if root.tag != "lift":
        raise ImportRejected(
            f"{name}:{root.sourceline}: the root element is <{str(root.tag)}>, not <lift>: "
            "this is not a LIFT file."
        )

    problems: list[Problem] = []
    entries: list[Entry] = []
    seen_ids: set[str] = set()
    deleted = 0
    for number, node in enumerate(root.iterfind("entry"), start=1):
        ident = node.get("guid") or node.get("id") or f"#{number}"
        where = f"{name}:{node.sourceline}"
        path_ = f"entry[@id='{node.get('id') or ident}']"
        if node.get("dateDeleted"):  # a tombstone: the entry was deleted in the lexicon
            deleted += 1
            continue
        forms = _forms(node.find("lexical-unit")) or _forms(node.find("citation"))
        if not forms:
            problems.append(
                Problem(where, f"{path_}/lexical-unit", "no headword: neither lexical-unit nor citation has a form")
            )
            continue
        if language:
            chosen = next((f for f in forms if iso639_3(f[0]) == language), forms[0])
            lang = language
        else:
            chosen = forms[0]
            lang = iso639_3(chosen[0])
            if len(lang) != 3:
                problems.append(
                    Problem(where, f"{path_}/citation/form/@lang",
                            f"writing system {chosen[0]!r} is not an ISO 639 language; pass --language")
                )
                continue
        headword = chosen[1]
        if (unshown := headword_problem(headword)) is not None:
            problems.append(Problem(where, f"{path_}/lexical-unit", unshown))
            continue
        variants = [t for _, t in forms if t != headword]
        for variant in node.findall("variant"):
            variants += [t for _, t in _forms(variant) if t not in variants and t != headword]
        if ident in seen_ids:
            problems.append(Problem(where, path_, f"duplicate entry id {ident!r}"))
            continue
        seen_ids.add(ident)

        ipa = None
        media: list[MediaRef] = []
        for pron in node.findall("pronunciation"):
            for lang_tag, text in _forms(pron):
                if "fonipa" in lang_tag and ipa is None:
                    ipa = text
            for m in pron.findall("media"):
                href = m.get("href")
                if href:
                    label = _forms(m.find("label"))
                    media.append(MediaRef(href=href, label=label[0][1] if label else None,
                                          form=headword))

        senses = [
            _sense(s, f"{where}", f"{path_}/sense[{i}]", problems)
            for i, s in enumerate(node.findall("sense"), start=1)
        ]
        entries.append(
            Entry(
                id=entry_id(lang, dataset, ident),
                language=lang,
                headword=headword,
                variants=variants,
                pos=next((s.pos for s in senses if s.pos), None),
                ipa=ipa,
                senses=senses,
                pronunciations=media,
                provenance=Provenance(
                    dataset=dataset, citation=citation, licence=licence,
                    source_file=name, location=f"{where} {path_}",
                ),
                extra=_entry_extra(node),
            )
        )
    notes = [f"{deleted} entries marked deleted (dateDeleted) skipped"] if deleted else []
    return Parsed(entries, problems, records=len(seen_ids) + len(problems) + deleted,
                  notes=notes, citation=citation, licence=licence)


def _sense(node, where: str, path_: str, problems: list[Problem]) -> Sense:
    glosses: dict[str, list[str]] = {}
    for gloss in node.findall("gloss"):
        lang = iso639_3(gloss.get("lang", ""))
        for part in _text(gloss).split(";"):
            part = canonical(part)
            if part and part not in glosses.setdefault(lang, []):
                glosses[lang].append(part)
    definitions = {
        iso639_3(lang): text for lang, text in _forms(node.find("definition"))
    }
    examples = []
    for ex in node.findall("example"):
        forms = _forms(ex)
        if not forms:
            continue
        translations: dict[str, str] = {}
        for tr in ex.findall("translation"):
            for lang, text in _forms(tr):
                translations.setdefault(iso639_3(lang), text)
        examples.append(Example(text=forms[0][1], translations=translations, source=ex.get("source")))
    domains: list[str] = []
    extra: dict[str, Any] = {}
    for trait in node.findall("trait"):
        name, value = trait.get("name", ""), trait.get("value", "")
        if name in _DOMAIN_TRAITS:
            domains.append(value)
        else:
            extra.setdefault("traits", {}).setdefault(name, []).append(value)
    reversals: dict[str, list[str]] = {}
    for rev in node.findall("reversal"):
        for lang, text in _forms(rev):
            reversals.setdefault(iso639_3(lang), []).append(text)
    if reversals:
        extra["reversals"] = reversals
    for rel in node.findall("relation"):
        extra.setdefault("relations", []).append({"type": rel.get("type"), "ref": rel.get("ref")})
    notes = [text for note in node.findall("note") for _, text in _forms(note)]
    info = node.find("grammatical-info")
    return Sense(
        glosses=glosses,
        definitions=definitions,
        examples=examples,
        domains=domains,
        pos=info.get("value") if info is not None else None,
        notes=notes,
        location=f"{where} {path_}",
        extra=extra,
    )


def _entry_extra(node) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for trait in node.findall("trait"):
        extra.setdefault("traits", {}).setdefault(trait.get("name", ""), []).append(trait.get("value"))
    for note in node.findall("note"):
        extra.setdefault("notes", []).extend(
            {"type": note.get("type"), "text": t} for _, t in _forms(note)
        )
    for field in node.findall("field"):
        extra.setdefault("fields", {})[field.get("type", "")] = [t for _, t in _forms(field)]
    for rel in node.findall("relation"):
        extra.setdefault("relations", []).append({"type": rel.get("type"), "ref": rel.get("ref")})
    for ety in node.findall("etymology"):
        extra.setdefault("etymology", []).append(
            {"type": ety.get("type"), "source": ety.get("source"), "forms": [t for _, t in _forms(ety)]}
        )
    for key in ("dateCreated", "dateModified", "order"):
        if node.get(key):
            extra[key] = node.get(key)
    return extra
