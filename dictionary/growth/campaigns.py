"""Recording campaigns: speakers who consented, the words to record, the takes and their review.

A speaker signs up once per language (a contributor for themselves, or an editor on a speaker's
behalf): a display name or pseudonym, optionally sex, decade of birth and place, the variety they
speak, and their consent — :data:`CONSENT` in Vietnamese, the licence chosen and the day, kept
with every recording they make.  An editor opens a campaign: by default the published entries
of the language with no accepted recording, most looked up first.  A take is uploaded through the
ordinary recording route (levelled like any recording) with the campaign and an idempotency key
made in the browser: the same key again answers the take already kept.  It stays ``pending``
until an editor of the language or another speaker of it accepts it; only then is it public.
Every act is audited in its transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from dictionary import languages as registry
from dictionary.audio.library import AudioLibrary
from dictionary.audio.recording import SEXES, RecordingInfo
from dictionary.editorial.accounts import Account, Role
from dictionary.errors import EntryNotFound, Forbidden, InvalidGrowth, NothingThere
from dictionary.growth.fields import cleaned
from dictionary.public import clip_view
from dictionary.storage.audit import Record
from dictionary.storage.campaigns import Campaigns as Rooms
from dictionary.storage.entries import Entries

LICENCES = {"CC BY 4.0": "CC BY 4.0", "cc-by-4.0": "CC BY 4.0",
            "internal": "chỉ dùng nội bộ", "chỉ dùng nội bộ": "chỉ dùng nội bộ"}
CONSENT = ("Tôi đồng ý để Từ điển DTTS ghi âm giọng đọc của tôi cho các từ trong đợt ghi âm, lưu giữ bản ghi cùng "
           "tên (hoặc bút danh), giới tính, thập niên sinh, nơi ở và phương ngữ mà tôi đã khai, và {use}. "
           "Tôi có thể rút lại sự đồng ý bất cứ lúc nào; khi đó các bản ghi của tôi không còn được công bố.")
USES = {"CC BY 4.0": "công bố bản ghi theo giấy phép CC BY 4.0 (ai cũng được dùng, miễn ghi tên người đọc)",
        "chỉ dùng nội bộ": "chỉ dùng bản ghi trong nội bộ Từ điển DTTS, không công bố cho người khác tải về"}
ORDERS = ("most_looked_up", "alphabetical")
MAX_ITEMS = 5000
MAX_TAKE_KEY = 100


def place_of(speaker: dict) -> str | None:
    parts = [speaker.get(k) for k in ("commune", "district", "province")]
    return ", ".join(p for p in parts if p) or None


class RecordingCampaigns:
    def __init__(self, rooms: Rooms, entries: Entries, audio: AudioLibrary,
                 public_changed: Callable[[], None] | None = None) -> None:
        self.rooms, self.entries, self.audio = rooms, entries, audio
        self.public_changed = public_changed or (lambda: None)

    # -- speakers ---------------------------------------------------------------------------------
    @staticmethod
    def consent_text(licence: str = "CC BY 4.0") -> str:
        return CONSENT.format(use=USES[LICENCES.get(licence, "CC BY 4.0")])

    def speaker_of(self, account: str, language: str) -> dict | None:
        """The account's speaker profile in ``language`` in force (the latest), if any."""
        profiles = self.rooms.speakers_of(account, language)
        return profiles[-1] if profiles else None

    def add_speaker(self, actor: Account, body: dict, client: str | None) -> dict:
        language = registry.get(str(body.get("language") or "")).code  # UnknownLanguage
        # no ``account``: the actor signs up themselves; a name, or null (a speaker without an
        # account), is an editor signing a speaker up on their behalf
        account = cleaned(body["account"], "account") if "account" in body else actor.name
        if account == actor.name:
            actor.require(Role.contributor, language)
        else:
            actor.require(Role.editor, language)
        name = cleaned(body.get("name"), "name")
        if not name:
            raise InvalidGrowth("Thiếu trường name: tên hoặc bút danh của người đọc, như họ muốn được ghi.")
        if body.get("consent") is not True:
            raise InvalidGrowth("Người đọc phải đồng ý (consent: true) với lời đồng ý đã được đọc cho họ.")
        licence = LICENCES.get(cleaned(body.get("licence"), "licence") or "CC BY 4.0")
        if licence is None:
            raise InvalidGrowth("Trường licence chỉ nhận 'CC BY 4.0' (mặc định) hoặc 'internal' (chỉ dùng nội bộ).")
        sex = cleaned(body.get("sex"), "sex")
        if sex is not None and (sex := SEXES.get(sex.lower())) is None:
            raise InvalidGrowth("Trường sex không hợp lệ; dùng nam, nữ hoặc khác.")
        decade = body.get("decade")
        if decade is not None and (not isinstance(decade, int) or isinstance(decade, bool)
                                   or decade % 10 or not 1900 <= decade <= datetime.now(UTC).year):
            raise InvalidGrowth("Trường decade là thập niên sinh, ví dụ 1970.")
        fields = {"language": language, "account": account, "name": name, "sex": sex, "decade": decade,
                  "licence": licence, "consent": self.consent_text(licence),
                  "consented_on": datetime.now(UTC).date().isoformat(), "created_by": actor.name,
                  **{k: cleaned(body.get(k), k) for k in ("commune", "district", "province", "variety")}}
        number = self.rooms.add_speaker(fields, Record(actor.name, "speaker.consent", None, client, {
            "language": language, "licence": licence, "account": account}))
        return self.speaker(number)

    def speaker(self, number: int) -> dict:
        row = self.rooms.speaker(number)
        if row is None:
            raise NothingThere("người đọc", number)
        return row

    def withdraw(self, actor: Account, number: int, client: str | None) -> dict:
        """Withdraw a speaker (an editor of the language, or the speaker's own account): their
        recordings leave the public's view in the same transaction."""
        row = self.speaker(number)
        if row["account"] != actor.name:
            actor.require(Role.editor, row["language"])
        done, changed = self.rooms.withdraw(number, Record(actor.name, "speaker.withdraw", str(number), client))
        if changed:
            self.public_changed()
        return {**self.speaker(number), "withdrawn": done}

    # -- campaigns --------------------------------------------------------------------------------
    def open(self, actor: Account, body: dict, client: str | None) -> dict:
        language = registry.get(str(body.get("language") or "")).code
        actor.require(Role.editor, language)
        name = cleaned(body.get("name"), "name")
        if not name:
            raise InvalidGrowth("Thiếu trường name: tên của đợt ghi âm.")
        order = body.get("order") or "most_looked_up"
        if order not in ORDERS:
            raise InvalidGrowth("Trường order chỉ nhận most_looked_up hoặc alphabetical.")
        limit = body.get("limit") or 100
        if not isinstance(limit, int) or not 1 <= limit <= MAX_ITEMS:
            raise InvalidGrowth(f"Trường limit là số từ cần ghi, 1–{MAX_ITEMS}.")
        dataset = cleaned(body.get("dataset"), "dataset")
        wanted = body.get("entries")
        if wanted:
            if not isinstance(wanted, list) or len(wanted) > MAX_ITEMS or not all(isinstance(e, str) for e in wanted):
                raise InvalidGrowth(f"Trường entries là danh sách mã mục từ (tối đa {MAX_ITEMS}).")
            for entry_id in wanted:
                state = self.entries.state(entry_id)  # EntryNotFound
                if state.language != language:
                    raise InvalidGrowth(f"Mục từ {entry_id!r} không thuộc ngôn ngữ {language}.")
                if state.public is None:
                    raise InvalidGrowth(f"Mục từ {entry_id!r} chưa được công bố; chỉ ghi âm mục từ đã công bố.")
            items = list(dict.fromkeys(wanted))
        else:
            items = self.rooms.unrecorded(language, dataset, order, limit)
        number = self.rooms.open_campaign(language, name, dataset, order, items, Record(
            actor.name, "campaign.open", None, client, {"language": language, "order": order}))
        return self.progress(actor, number)

    def campaign(self, number: int) -> dict:
        row = self.rooms.campaign(number)
        if row is None:
            raise NothingThere("đợt ghi âm", number)
        return row

    def progress(self, actor: Account, number: int) -> dict:
        """The campaign, its items (with their public meanings and their takes) and its counts, whole
        and per speaker: for contributors of its language only (the reviewers' reasons and the
        speakers' names are theirs; the public reads the counts on the coverage page)."""
        row = self.campaign(number)
        actor.require(Role.contributor, row["language"])
        ids = self.rooms.items(number)
        takes = self.rooms.takes(number)
        speakers: dict[int, dict] = {}
        per_entry: dict[str, list[dict]] = {}
        for take in takes:
            per_entry.setdefault(take["entry_id"], []).append(take)
            who = speakers.setdefault(take["speaker"], {"speaker": take["speaker"], "recorded": 0, "accepted": 0,
                                                         "rejected": 0, "pending": 0})
            who["recorded"] += 1
            review = "accepted" if take["review"] == "internal" else take["review"]
            if review in ("accepted", "rejected", "pending"):
                who[review] += 1
        items = []
        for entry_id in ids:
            body = self._body(entry_id)
            item_takes = per_entry.get(entry_id, [])
            items.append({"entry": entry_id, "headword": body.get("headword") if body else None,
                          "meaning": _meaning(body), "takes": [
                              {"clip": t["clip_id"], "speaker": t["speaker"], "review": t["review"],
                               "reason": t["review_reason"]} for t in item_takes]})
        for who in speakers.values():
            profile = self.rooms.speaker(who["speaker"]) or {}
            who["name"] = profile.get("name")
            who["withdrawn"] = profile.get("withdrawn_at") is not None
        reviews = [t["review"] for t in takes]
        return {"id": row["id"], "language": row["language"], "name": row["name"], "dataset": row["dataset"],
                "order": row["ordering"], "created_by": row["created_by"], "created_at": row["created_at"],
                "items": items, "progress": {
                    "items": len(ids), "recorded": len({t["entry_id"] for t in takes}),
                    "accepted": len({t["entry_id"] for t in takes if t["review"] in ("accepted", "internal")}),
                    "rejected": reviews.count("rejected"), "pending": reviews.count("pending")},
                "speakers": sorted(speakers.values(), key=lambda s: s["speaker"])}

    def _body(self, entry_id: str) -> dict | None:
        try:
            return self.entries.state(entry_id).public
        except EntryNotFound:
            return None

    # -- takes ------------------------------------------------------------------------------------
    def record(self, actor: Account, number: int, entry_id: str, data: bytes, take: str,
               speaker_id: int | None, client: str | None) -> tuple[dict, bool]:
        """Keep a take of a campaign's word: (clip, created); the same ``take`` key again answers
        the clip kept the first time."""
        campaign = self.campaign(number)
        take = (take or "").strip()
        if not take or len(take) > MAX_TAKE_KEY:
            raise InvalidGrowth(f"Thiếu trường take: mã của lần ghi do trình duyệt tạo (tối đa {MAX_TAKE_KEY} ký tự).")
        if entry_id not in self.rooms.items(number):
            raise InvalidGrowth(f"Mục từ {entry_id!r} không có trong đợt ghi âm {number}.")
        speaker = self._speaker_for(actor, campaign["language"], speaker_id)
        kept = self.rooms.take(take)
        if kept is not None:
            if kept["campaign"] != number or kept["entry_id"] != entry_id:
                raise InvalidGrowth("Mã take này đã được dùng cho một từ khác.")
            return clip_view(self.audio.get(kept["clip_id"])), False
        info = RecordingInfo.checked(speaker=speaker["name"], licence=speaker["licence"], sex=speaker["sex"],
                                     dialect=speaker["variety"], attribution=place_of(speaker),
                                     recorded_on=datetime.now(UTC).date().isoformat())
        clip, created = self.audio.add_recording(entry_id, data, info, source=f"campaign:{number}", actor=actor.name,
                                                 client=client, review="pending", speaker_id=speaker["id"])
        kept = self.rooms.add_take(take, number, entry_id, speaker["id"], clip["id"])
        if kept["clip_id"] != clip["id"]:  # another upload under this key was kept first: that one stays
            if created:
                self.audio.delete(clip["id"])  # and its files, unless another clip uses them
            if kept["campaign"] != number or kept["entry_id"] != entry_id:
                raise InvalidGrowth("Mã take này đã được dùng cho một từ khác.")
            return clip_view(self.audio.get(kept["clip_id"])), False
        return clip, created

    def _speaker_for(self, actor: Account, language: str, speaker_id: int | None) -> dict:
        if speaker_id is not None:
            speaker = self.speaker(speaker_id)
            if speaker["language"] != language:
                raise InvalidGrowth(f"Người đọc {speaker_id} không nói ngôn ngữ của đợt ghi âm này.")
            if speaker["account"] != actor.name:
                actor.require(Role.editor, language)  # recording on a speaker's behalf
        else:
            actor.require(Role.contributor, language)
            profiles = self.rooms.speakers_of(actor.name, language)
            if not profiles:
                raise Forbidden("Hãy đăng ký làm người đọc (POST /v1/speakers, có lời đồng ý) trước khi ghi âm.")
            speaker = profiles[-1]
        if speaker["withdrawn_at"] is not None:
            raise Forbidden("Người đọc này đã rút lại sự đồng ý; không ghi thêm được.")
        return speaker

    # -- review -----------------------------------------------------------------------------------
    def may_review(self, actor: Account | None, clip: dict) -> bool:
        """An editor of the language, or another speaker of it (not the recording's own)."""
        if actor is None:
            return False
        if actor.may(Role.editor, clip["language"]):
            return True
        mine = self.rooms.speakers_of(actor.name, clip["language"])
        return bool(mine) and all(s["id"] != clip.get("speaker_id") for s in mine)

    def review(self, actor: Account, clip_id: str, verdict: str, reason: str | None, client: str | None) -> dict:
        clip = self.audio.get(clip_id)  # AudioNotFound
        if clip.get("review") not in ("pending", "rejected", "accepted", "internal") or clip.get("speaker_id") is None:
            raise InvalidGrowth("Chỉ bản ghi của một đợt ghi âm mới cần duyệt ở đây.")
        if not self.may_review(actor, clip):
            raise Forbidden("Chỉ biên tập viên của ngôn ngữ, hoặc một người đọc khác của ngôn ngữ này, mới duyệt được.")
        if verdict not in ("accept", "reject"):
            raise InvalidGrowth("Trường verdict chỉ nhận accept hoặc reject.")
        reason = cleaned(reason, "reason", 500)
        if verdict == "reject" and not reason:
            raise InvalidGrowth("Hãy nêu lý do không nhận bản ghi (trường reason).")
        status = "accepted" if verdict == "accept" else "rejected"
        speaker = self.rooms.speaker(clip["speaker_id"]) or {}
        if status == "accepted" and speaker.get("licence") == LICENCES["internal"]:
            status = "internal"  # accepted, for the editors only: its speaker did not agree to publish it
        done, changed = self.rooms.review(clip_id, status, reason, Record(
            actor.name, f"recording.{verdict}", clip_id, client, {"reason": reason} if reason else None))
        if changed:
            self.public_changed()
        row = self.audio.get(clip_id)
        return {"clip": clip_id, "review": row["review"], "reason": row.get("review_reason"), "changed": done}

    def pending(self, actor: Account, number: int) -> list[dict]:
        """The campaign's recordings waiting for review, oldest first, that ``actor`` may review
        (an editor of the language, or a speaker of it: not their own), with their speaker."""
        language = self.campaign(number)["language"]
        if not actor.may(Role.editor, language) and not self.rooms.speakers_of(actor.name, language):
            raise Forbidden("Chỉ biên tập viên hoặc người đọc của ngôn ngữ này mới xem được các bản ghi chờ duyệt.")
        taken = {t["clip_id"]: t for t in self.rooms.takes(number)}
        names = {s["id"]: s["name"] for s in self.rooms.speakers(language)}
        return [{"clip": r["id"], "entry": r["entry_id"], "text": r["text"], "take": taken[r["id"]]["take"],
                 "speaker": r["speaker_id"], "speaker_name": names.get(r["speaker_id"]),
                 "duration_ms": r["duration_ms"], "url": f"/v1/audio/{r['id']}", "at": taken[r["id"]]["at"]}
                for r in self.rooms.pending(language) if r["id"] in taken and self.may_review(actor, r)]


def _meaning(body: dict | None) -> str | None:
    if not body:
        return None
    for sense in body.get("senses") or []:
        glosses = sense.get("glosses") or {}
        for code in (registry.VIETNAMESE, *glosses):
            if glosses.get(code):
                return "; ".join(glosses[code][:3])
    return None
