"""Editing the dictionary: entries written as revisions, moved through review, published.

Every write makes an immutable revision (content, author, time, comment, status, what changed),
stored with its audit record in one transaction.  An entry's status moves

    draft → review → published → retired

and the public reads only an entry's published revision: an edit of a published entry waits as
a new draft while the public keeps the published text, until an editor publishes it.  Accounts
of an entry's language see its latest revision, marked pending when it is not the published one.

Who may do what (``Account.require`` raises Forbidden, a move the status does not allow raises
InvalidTransition):

=================== ============= ===========================================
from → to           who           note
=================== ============= ===========================================
(new) → draft       contributor
draft → review      contributor   sends the draft to the editors
review → draft      editor        sends it back; a comment says why
review → published  editor        the public reads it from now on
draft/review →      editor        withdraws the entry (and its public text)
retired
published → retired editor
retired → draft     editor        takes a retired entry up again
=================== ============= ===========================================
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from dictionary.editorial.accounts import ALL_LANGUAGES, Account, Role
from dictionary.editorial.review import TeamRules, versions
from dictionary.errors import (
    EntryNotFound,
    InvalidEntry,
    InvalidQuery,
    InvalidTransition,
    PreconditionRequired,
    RevisionNotFound,
    StaleRevision,
    SuggestionClosed,
    SuggestionNotFound,
    WeakETag,
)
from dictionary.model import (
    EDITORS_CITATION,
    EDITORS_DATASET,
    Comment,
    Contact,
    Entry,
    EntryContent,
    Provenance,
    Status,
    SuggestionText,
    checked,
    entry_id,
    language_code,
)
from dictionary.search.indexing import Follower
from dictionary.storage.audit import AuditLog
from dictionary.storage.entries import Entries, EntryState, RevisionConflict, Written, changes
from dictionary.storage.suggestions import Suggestions

MAX_AUDIT = 1000

# (from, to) → the role that may make the move
MOVES: dict[tuple[Status, Status], Role] = {
    (Status.draft, Status.review): Role.contributor,
    (Status.review, Status.draft): Role.editor,
    (Status.review, Status.published): Role.editor,
    (Status.draft, Status.retired): Role.editor,
    (Status.review, Status.retired): Role.editor,
    (Status.published, Status.retired): Role.editor,
    (Status.retired, Status.draft): Role.editor,
}
STATUS_WORDS = {Status.draft: "bản nháp", Status.review: "chờ duyệt", Status.published: "đã công bố",
                Status.retired: "đã rút"}


@dataclass(frozen=True)
class EntryView:
    """An entry as one reader may see it."""

    entry: dict  # the content, with ``status``
    revision: int
    published_revision: int | None
    pending: bool  # a revision newer than the published one, shown to accounts of its language

    @property
    def etag(self) -> str:
        return f'"r{self.revision}"'


ETAG = r'^\s*(\*|(W/)?"?r?[0-9]{1,9}"?)\s*$'  # what If-Match may say, as the API's schema states it


def parse_etag(value: str | None) -> int | None:
    """The revision an If-Match header names (``"r7"``; ``r7`` and ``7`` are read too); None when
    there is none.  Only a revision's strong ETag names one: ``*`` is PreconditionRequired (428), a
    weak ``W/"r7"`` WeakETag (412), garbage InvalidEntry."""
    if value is None:
        return None
    text = value.strip()
    if text == "*":
        raise PreconditionRequired("If-Match: * không chỉ rõ phiên bản nào. ")
    if text.startswith("W/"):
        raise WeakETag(text)
    text = text.strip('"').removeprefix("r")
    if not re.fullmatch(ETAG, value) or not text.isascii() or not text.isdigit():
        raise InvalidEntry("If-Match", f"không đọc được ETag {value[:40]!r}; hãy gửi đúng ETag đã nhận, ví dụ \"r3\".")
    return int(text)


def _comment(value: str | None) -> str | None:
    return checked(Comment, value, "comment")


class Editing:
    """Entries written, reviewed and published by accounts; suggestions from anyone; the audit
    log.  After a write that changes the public text the search index follows at once."""

    def __init__(self, entries: Entries, suggestions: Suggestions, audit_log: AuditLog, follower: Follower,
                 teams: TeamRules) -> None:
        self.entries = entries
        self.suggestion_box = suggestions
        self.audit_log = audit_log
        self.follower = follower
        self.teams = teams  # who may publish what: four eyes, per language team

    # -- reading -----------------------------------------------------------------------------
    @staticmethod
    def _sees_drafts(reader: Account | None, language: str) -> bool:
        return reader is not None and reader.may(Role.contributor, language)

    def visible(self, entry_id: str, reader: Account | None) -> EntryState:
        """The entry's state, when ``reader`` may see it: it has public text, or the reader is an
        account of its language.  Else EntryNotFound, as for an id that names nothing, so a draft's
        id tells no one outside its language that it exists, nor in what language."""
        state = self.entries.state(entry_id)
        if state.public is None and not self._sees_drafts(reader, state.language):
            raise EntryNotFound(entry_id)
        return state

    def view(self, entry_id: str, reader: Account | None = None) -> EntryView:
        """The entry as ``reader`` may see it: the latest revision for an account of its language,
        the published one for anyone else (EntryNotFound when there is none)."""
        state = self.entries.state(entry_id)
        return self._view(state, reader)

    def _view(self, state: EntryState, reader: Account | None) -> EntryView:
        if self._sees_drafts(reader, state.language):
            return EntryView(state.body, state.revision, state.published_revision, state.pending)
        if state.public is None:
            raise EntryNotFound(state.id)
        return EntryView(state.public, state.published_revision or state.revision, state.published_revision, False)

    def history(self, entry_id: str, reader: Account | None = None) -> list[dict]:
        """The entry's revisions, oldest first: every one for an account of its language.  The
        public sees the revisions that were its text (published, or retired), each with what
        changed since the one before it and the publishing editor's comment: never a draft's
        content, comment or author.  Each says the content ``version`` it shows and whether it was
        a status ``move`` of the version before it (no new content)."""
        view = self.view(entry_id, reader)
        revisions = self.entries.revisions(entry_id)
        shown = versions(revisions)
        if self._sees_drafts(reader, view.entry["language"]):
            return [{**r, "version": shown[r["revision"]][0], "move": shown[r["revision"]][1]} for r in revisions]
        out, before = [], None
        for r in revisions:
            if r["status"] not in (Status.published, Status.retired) or r["revision"] > view.revision:
                continue
            found = self.entries.revision(entry_id, r["revision"])
            assert found is not None, "a revision is kept for good"
            body = found["body"]
            content = [c for c in changes(before, body) if c != "status"]
            out.append({**r, "changes": content or ["status"], "version": shown[r["revision"]][0],
                        "move": not content})
            before = body
        return out

    def revision(self, entry_id: str, number: int, reader: Account) -> dict:
        """One revision with its content, for accounts of the entry's language."""
        state = self.visible(entry_id, reader)
        reader.require(Role.contributor, state.language)
        found = self.entries.revision(entry_id, number)
        if found is None:
            raise RevisionNotFound(entry_id, number)
        return found

    def state(self, entry_id: str) -> EntryState:
        """The entry whatever its status, with its latest and published revisions, for a caller
        that checks the reader itself (the editor's page); EntryNotFound when there is none."""
        return self.entries.state(entry_id)

    def revision_body(self, entry_id: str, number: int) -> dict:
        """The content of one of the revisions :meth:`history` listed to a reader (to compare two)."""
        found = self.entries.revision(entry_id, number)
        if found is None:
            raise RevisionNotFound(entry_id, number)
        return found["body"]

    def drafts_of(self, reader: Account) -> list[dict]:
        """The drafts a contributor worked on, with the latest revision's author and comment (an
        editor's reason when one came back)."""
        return self.entries.drafts_of(reader.name)

    def in_review(self, reader: Account, language: str | None = None) -> list[dict]:
        """What waits for an editor, in ``language`` or in every language the reader edits."""
        if language is not None:
            reader.require(Role.editor, language_code(language, "language"))
            return self.entries.in_review((language,))
        reader.require(Role.editor)
        everywhere = reader.role == Role.admin or ALL_LANGUAGES in reader.languages
        return self.entries.in_review(None if everywhere else reader.languages)

    # -- writing -----------------------------------------------------------------------------
    def _written(self, written: Written) -> EntryView:
        if written.public_changed:
            self.follower.changed()
        s = written.state
        return EntryView(s.body, s.revision, s.published_revision, s.pending)

    def create(self, actor: Account, data: EntryContent | dict, comment: str | None = None,
               client: str | None = None) -> EntryView:
        """A new entry, as a draft of ``actor``'s, with ``data``'s content (validated once: by the
        request model that made it, or here)."""
        fields = EntryContent.of(data)
        actor.require(Role.contributor, fields.language)
        while True:
            new_id = entry_id(fields.language, EDITORS_DATASET, uuid.uuid4().hex)
            entry = fields.entry(new_id, Provenance(dataset=EDITORS_DATASET, citation=EDITORS_CITATION))
            try:
                written = self.entries.write_revision(entry, author=actor.name, comment=_comment(comment),
                                                    status=Status.draft, create=True, action="entry.create",
                                                    client=client)
            except RevisionConflict:  # the random id is taken (one chance in 2^48): draw another
                continue
            return self._written(written)

    def replace(self, actor: Account, entry_id: str, data: EntryContent | dict, expected: int | None,
                comment: str | None = None, client: str | None = None) -> EntryView:
        """A new revision of the entry with ``data``'s content, made from revision ``expected``.
        It is a draft: a published entry keeps its published text until this one is published."""
        state = self.visible(entry_id, actor)
        actor.require(Role.contributor, state.language)
        if state.status == Status.retired:  # editing takes it up again: an editor's move
            actor.require(MOVES[Status.retired, Status.draft], state.language)
        fields = EntryContent.of(data)
        if fields.language != state.language:
            raise InvalidEntry("language", f"ngôn ngữ của một mục từ không đổi được (đang là {state.language!r}); "
                                           "hãy tạo mục từ mới cho ngôn ngữ kia.")
        # what an import held on a sense beyond the fields a writer sends (its source line, its
        # unmapped columns) stays with the sense at the same place
        entry = fields.replacing(Entry.model_validate(state.body))
        return self._write(entry, actor, Status.draft, expected, comment, "entry.update", client)

    def move(self, actor: Account, entry_id: str, status: str, comment: str | None = None,
             expected: int | None = None, client: str | None = None) -> EntryView:
        """Move the entry to ``status`` (see the table in this module's description)."""
        state = self.visible(entry_id, actor)
        try:
            target = Status(status)
        except ValueError:
            raise InvalidEntry("status", f"{status!r} không phải trạng thái; hãy dùng một trong: "
                                         f"{', '.join(s.value for s in Status)}.") from None
        actor.require(Role.contributor, state.language)
        if expected is not None and expected != state.revision:  # decided on a revision since replaced
            raise StaleRevision(entry_id, state.revision, expected)
        role = MOVES.get((state.status, target))
        if role is None:
            allowed = [f"{to.value}" for (frm, to) in MOVES if frm == state.status]
            raise InvalidTransition(
                f"Mục từ {entry_id!r} đang ở trạng thái {state.status.value} ({STATUS_WORDS[state.status]}): "
                f"không chuyển sang {target.value} được. "
                + (f"Từ trạng thái này có thể chuyển sang: {', '.join(allowed)}." if allowed else "")
            )
        actor.require(role, state.language)
        if target == Status.published:
            self.teams.check_publisher(actor, state.language, self.entries.revisions(entry_id))
        comment = _comment(comment)
        if (state.status, target) == (Status.review, Status.draft) and not comment:
            raise InvalidEntry("comment", "khi trả bản nháp về cho người soạn, hãy ghi lý do.")
        entry = Entry.model_validate(state.body)
        # the move was decided on this revision: a change that lands meanwhile makes it 412
        return self._write(entry, actor, target, state.revision if expected is None else expected, comment,
                           f"entry.{target.value}", client, detail={"from": state.status.value})

    def revert(self, actor: Account, entry_id: str, revision: int, comment: str | None = None,
               expected: int | None = None, client: str | None = None) -> EntryView:
        """A new revision with revision ``revision``'s content, keeping the entry's status: a
        published entry is published again with that content at once (an editor's act)."""
        state = self.visible(entry_id, actor)
        actor.require(Role.editor, state.language)
        old = self.entries.revision(entry_id, revision)
        if old is None:
            raise RevisionNotFound(entry_id, revision)
        entry = Entry.model_validate(old["body"])
        return self._write(entry, actor, state.status, state.revision if expected is None else expected, comment,
                           "entry.revert", client, detail={"to": revision})

    def _write(self, entry: Entry, actor: Account, status: Status, expected: int | None, comment: str | None,
               action: str, client: str | None, detail: dict | None = None) -> EntryView:
        try:
            written = self.entries.write_revision(entry, author=actor.name, comment=_comment(comment), status=status,
                                                expected=expected, action=action, client=client, detail=detail)
        except RevisionConflict as exc:
            raise StaleRevision(entry.id, exc.current, expected) from None
        return self._written(written)

    # -- suggestions -------------------------------------------------------------------------
    def suggest(self, entry_id: str, text: str, contact: str | None = None, client: str | None = None,
                reader: Account | None = None) -> int:
        """A reader's report on an entry they can read (the public: a published one; an account of
        its language: a draft too), into the editors' queue; its number."""
        view = self.view(entry_id, reader)  # EntryNotFound unless this reader can read it
        body = checked(SuggestionText, text, "text")
        return self.suggestion_box.add(entry_id, view.entry["language"], body,
                                         checked(Contact, contact, "contact"), client,
                                         reader.name if reader is not None else "anonymous")

    def suggestions(self, reader: Account, status: str | None = "open", language: str | None = None) -> list[dict]:
        if status is not None and status not in ("open", "accepted", "dismissed"):
            raise InvalidEntry("status", "hãy dùng open, accepted hoặc dismissed.")
        if language is not None:
            reader.require(Role.editor, language_code(language, "language"))
            return self.suggestion_box.select(status, (language,))
        reader.require(Role.editor)
        everywhere = reader.role == Role.admin or ALL_LANGUAGES in reader.languages
        return self.suggestion_box.select(status, None if everywhere else reader.languages)

    def suggestion(self, reader: Account, number: int) -> dict | None:
        """One suggestion, for an editor of its language; None when there is no such one."""
        found = self.suggestion_box.get(number)
        if found is None:
            return None
        reader.require(Role.editor, found["language"])
        return found

    def resolve(self, actor: Account, number: int, status: str, comment: str | None = None,
                client: str | None = None, revision: int | None = None) -> dict:
        """Accept or dismiss an open suggestion; an acceptance may name the revision that made
        the change it asked for (its comment then says so)."""
        found = self.suggestion_box.get(number)
        if found is None:
            raise SuggestionNotFound(number)
        actor.require(Role.editor, found["language"])
        if status not in ("accepted", "dismissed"):
            raise InvalidEntry("status", "hãy dùng accepted (đã sửa theo góp ý) hoặc dismissed (bỏ qua).")
        if revision is not None:
            if self.entries.revision(found["entry_id"], revision) is None:
                raise RevisionNotFound(found["entry_id"], revision)
            comment = f"Đã sửa mục từ theo góp ý: phiên bản {revision}." + (f" {comment}" if comment else "")
        if not self.suggestion_box.resolve(number, status, actor.name, _comment(comment), client):
            raise SuggestionClosed(f"Góp ý số {number} đã được xử lý ({found['status']}).")
        resolved = self.suggestion_box.get(number)
        assert resolved is not None, "a suggestion is kept when it is resolved"
        return resolved

    # -- the audit log -----------------------------------------------------------------------
    def audit(self, reader: Account, since: str | None = None, limit: int = 100, after: int = 0) -> list[dict]:
        reader.require(Role.admin)
        if since:
            try:
                moment = datetime.fromisoformat(since.upper())
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                since = moment.astimezone(UTC).isoformat(timespec="milliseconds")
            except (ValueError, OverflowError):
                raise InvalidQuery(f"since phải là thời điểm ISO 8601, ví dụ 2026-11-01T00:00:00Z "
                                   f"(đã nhận {since!r}).") from None
        if not 1 <= limit <= MAX_AUDIT:
            raise InvalidQuery(f"limit phải từ 1 đến {MAX_AUDIT} (đã nhận {limit}).")
        return self.audit_log.records(since, limit, after)
