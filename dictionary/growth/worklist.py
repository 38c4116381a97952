"""Term requests and the editors' worklist: demand merged by canonical text, ranked.

An item of the worklist is a term in a language: the misses that concern the language (searches
and workbench gaps, :func:`dictionary.storage.demand.concerned`) and the requests for it, merged
by the term's case-blind exact key.  Its status is ``open`` until an editor dismisses it (with a
reason) or the dictionary answers it: while a published entry of the language matches it
exactly (a new entry made from the item, or any other) it is done, linked to that entry — read,
never written, so a retired entry leaves its item open again.  What the dictionary has for an
item (one search) is kept per generation of the public text and of the search index."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dictionary import languages as registry
from dictionary.cache import PerGeneration
from dictionary.editorial.accounts import ALL_LANGUAGES, Account, Role
from dictionary.errors import DictionaryError, InvalidGrowth, NothingThere
from dictionary.growth.demand import Counter
from dictionary.growth.fields import cleaned
from dictionary.search.service import SearchService
from dictionary.storage.audit import Record
from dictionary.storage.demand import ANY, Demand, concerned
from dictionary.storage.requests import Requests

MAX_CONTEXT, MAX_CONTACT = 500, 200
MAX_EXPORT = 2_000  # items in a CSV or spreadsheet


class Worklist:
    def __init__(self, demand: Demand, requests: Requests, search: SearchService, days: int = 180) -> None:
        self.demand, self.requests, self.search, self.days = demand, requests, search, days
        self.found = PerGeneration(lambda: (search.entries.generation, search.backend.generation()))

    # -- requests -----------------------------------------------------------------------------
    def ask(self, text: str, language: str, context: str | None, contact: str | None) -> tuple[int, int]:
        """A term request (or the same one again): (its number, how many times it was asked)."""
        found = Counter.countable(text)
        if found is None:
            raise InvalidGrowth(f"Trường text phải có ít nhất một chữ cái và không dài quá 100 ký tự: {text!r}.")
        code = registry.get(language).code  # UnknownLanguage
        if code == registry.VIETNAMESE:
            raise InvalidGrowth("Hãy chọn ngôn ngữ dân tộc thiểu số cần bổ sung từ (không phải tiếng Việt).")
        context = cleaned(context, "context", MAX_CONTEXT)
        contact = cleaned(contact, "contact", MAX_CONTACT)
        term, written = found
        # audited without the client's address: a request keeps only what its sender wrote
        return self.requests.ask(term, code, written, context, contact, Record("anonymous", ""))

    def request(self, number: int) -> dict:
        """What the public sees of a request: its text, language, count and status, and the entry
        that answers it — never its contact."""
        row = self.requests.get(number)
        if row is None:
            raise NothingThere("đề nghị", number)
        status, entry = self._status(row["language"], row["term"], row["text"])
        return {"number": row["id"], "text": row["text"], "language": row["language"],
                "language_name": registry.name(row["language"]), "count": row["count"], "asked_at": row["at"],
                "status": status["status"], "entry": entry, "reason": status.get("reason")}

    # -- the worklist ---------------------------------------------------------------------------
    @staticmethod
    def scope(account: Account, language: str | None) -> tuple[str, ...] | None:
        """The languages an account reads the worklist of (None: every one, for admins)."""
        account.require(Role.contributor, language)
        if language is None:
            if account.role == Role.admin or ALL_LANGUAGES in account.languages:
                return None
            return account.languages
        return (registry.get(language).code,)

    def items(self, account: Account, language: str | None, limit: int = 100) -> list[dict]:
        """What to do, most wanted first: per (language, term), the searches, workbench gaps and
        requests, the last day seen, the approximate matches the dictionary has, the status."""
        scope = self.scope(account, language)
        since = (datetime.now(UTC).date() - timedelta(days=self.days)).isoformat()
        merged: dict[tuple[str, str], dict] = {}

        def item(lang: str, term: str, text: str) -> dict:
            return merged.setdefault((lang, term), {
                "language": lang, "language_name": registry.name(lang) if lang != ANY else "mọi ngôn ngữ",
                "term": term, "text": text, "searches": 0, "translations": 0, "requests": 0,
                "request_numbers": [], "last_seen": "", "contacts": []})

        for row in self.demand.misses(since, scope):
            for lang in concerned(row["source"], row["target"]):
                for target in ([lang] if lang != ANY else list(scope or [ANY])):
                    if scope is not None and target not in scope:
                        continue  # the other language of a miss between two minority languages
                    it = item(target, row["term"], row["text"])
                    it["searches"] += int(row["searches"])
                    it["translations"] += int(row["translations"])
                    it["last_seen"] = max(it["last_seen"], row["last_seen"])
        for row in self.requests.select(scope):
            it = item(row["language"], row["term"], row["text"])
            it["requests"] += int(row["count"])
            it["request_numbers"].append(row["id"])
            it["last_seen"] = max(it["last_seen"], row["last_at"][:10])
            if row["contact"]:
                it["contacts"].append(row["contact"])
        ranked = sorted(merged.values(), key=lambda i: i["term"])
        ranked.sort(key=lambda i: i["last_seen"], reverse=True)
        ranked.sort(key=lambda i: i["searches"] + i["translations"] + i["requests"], reverse=True)
        decisions = self.requests.decisions(None if scope is None else tuple({*scope, ANY}))
        out = []
        for it in ranked[:limit]:
            status, entry = self._status(it["language"], it["term"], it["text"], decisions)
            it.update(status=status["status"], entry=entry, reason=status.get("reason"),
                      approximate=self._found(it["language"], it["text"])[1])
            if account.role != Role.admin or it["status"] != "open":  # for the admins only, while open
                del it["contacts"]
            out.append(it)
        return out

    def _found(self, language: str, text: str) -> tuple[str | None, list[dict]]:
        """What the dictionary has for an item, from one search: the id of a published entry of
        ``language`` matching ``text`` exactly (if any) and the approximate matches."""
        return self.found(f"{language}\0{text}", lambda: self._search(language, text))

    def _search(self, language: str, text: str) -> tuple[str | None, list[dict]]:
        try:  # the language's headwords and the Vietnamese glosses of its entries
            found = (self.search.search(text, registry.VIETNAMESE, None, 3, 0) if language == ANY
                     else self.search.search(text, None, language, 8, 0))
        except DictionaryError:
            return None, []
        answer = next((h.entry["id"] for h in found.hits
                       if h.match.exact and language != ANY and h.entry.get("language") == language), None)
        return answer, [{"id": h.entry["id"], "headword": h.entry["headword"], "language": h.entry["language"]}
                        for h in found.hits if not h.match.exact][:3]

    def _status(self, language: str, term: str, text: str,
                decisions: dict[tuple[str, str], dict] | None = None) -> tuple[dict, str | None]:
        decided = (decisions if decisions is not None else self.requests.decisions((language,))).get((language, term))
        if decided is not None and decided["status"] == "dismissed":
            return decided, None
        answer = self._found(language, text)[0]  # "done" is read, never kept: it ends with its entry
        return ({"status": "open"}, None) if answer is None else ({"status": "done"}, answer)

    def dismiss(self, account: Account, language: str, text: str, reason: str | None, client: str | None) -> None:
        """Set an item aside: an editor of the language, with a reason."""
        code = registry.get(language).code
        account.require(Role.editor, code)
        reason = cleaned(reason, "reason", MAX_CONTEXT)
        if not reason:
            raise InvalidGrowth("Hãy nêu lý do bỏ qua (trường reason).")
        found = Counter.countable(text)
        if found is None:
            raise InvalidGrowth(f"Trường text không hợp lệ: {text!r}.")
        self.requests.decide(code, found[0], "dismissed", None, reason,
                             Record(account.name, "worklist.dismiss", f"{code}:{found[0]}", client, {"reason": reason}))

    def reopen(self, account: Account, language: str, text: str, client: str | None) -> None:
        code = registry.get(language).code
        account.require(Role.editor, code)
        found = Counter.countable(text)
        if found is None:
            raise InvalidGrowth(f"Trường text không hợp lệ: {text!r}.")
        self.requests.reopen(code, found[0], Record(account.name, "worklist.reopen", f"{code}:{found[0]}", client))

    def rows_for_export(self, account: Account, language: str | None) -> list[dict]:
        """The worklist as rows for a spreadsheet; contacts only for admins."""
        admin = account.role == Role.admin
        rows = []
        for it in self.items(account, language, limit=MAX_EXPORT):
            row = {"language": it["language"], "text": it["text"], "searches": it["searches"],
                   "translations": it["translations"], "requests": it["requests"], "last_seen": it["last_seen"],
                   "status": it["status"], "entry": it["entry"] or "",
                   "approximate": "; ".join(a["headword"] for a in it["approximate"])}
            if admin:
                row["contacts"] = "; ".join(it.get("contacts", []))
            rows.append(row)
        return rows

    def forget_contacts(self, asked_before: str) -> int:
        """Drop the contacts of the requests answered by a published entry, and of those first
        asked before ``asked_before`` (the daily clean-up of :class:`Counter`)."""
        decisions = self.requests.decisions(None)
        answered = [r["id"] for r in self.requests.select(None) if r["contact"] and self._status(
            r["language"], r["term"], r["text"], decisions)[0]["status"] == "done"]
        return self.requests.forget_contacts(answered, asked_before)

    def open_requests(self) -> dict[str, int]:
        """Requests per language neither dismissed nor answered by a published entry."""
        decisions = self.requests.decisions(None)
        out: dict[str, int] = {}
        for row in self.requests.select(None):
            if self._status(row["language"], row["term"], row["text"], decisions)[0]["status"] == "open":
                out[row["language"]] = out.get(row["language"], 0) + 1
        return out

    def missed(self, days: int = 30) -> dict[str, int]:
        """Missed look-ups counted in the last ``days`` days, per language they concern
        (:data:`ANY` for those naming no minority language)."""
        since = (date.fromisoformat(datetime.now(UTC).date().isoformat()) - timedelta(days=days - 1)).isoformat()
        out: dict[str, int] = {}
        for row in self.demand.misses(since):
            for lang in concerned(row["source"], row["target"]):
                out[lang] = out.get(lang, 0) + int(row["searches"]) + int(row["translations"])
        return out

