"""Term requests, the worklist, speakers, recording campaigns, their review, and coverage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dictionary.text.normalize import VISIBLE

from .common import _Public

LETTER = r"[^\W\d_]"  # a text worth counting holds a letter


class RequestWrite(_Public):
    text: str = Field(min_length=1, max_length=100, pattern=LETTER,
                      description="từ hay cụm từ cần bổ sung (tiếng Việt), có ít nhất một chữ cái")
    language: str = Field(min_length=3, max_length=3, description="ngôn ngữ cần có từ này (ISO 639-3, không phải vie)")
    context: str | None = Field(None, max_length=500, description="một câu cho thấy từ được dùng thế nào")
    contact: str | None = Field(None, max_length=200, description="cách liên lạc lại (chỉ quản trị viên thấy)")


class RequestReceived(_Public):
    number: int
    count: int = Field(description="số lần từ này được đề nghị cho ngôn ngữ này")
    status_url: str


class RequestPublic(_Public):
    number: int
    text: str
    language: str
    language_name: str
    count: int
    asked_at: str
    status: Literal["open", "done", "dismissed"]
    entry: str | None
    entry_url: str | None
    reason: str | None


class Approximate(_Public):
    id: str
    headword: str
    language: str


class WorkItem(_Public):
    language: str
    language_name: str
    term: str
    text: str
    searches: int
    translations: int
    requests: int
    request_numbers: list[int]
    last_seen: str
    status: Literal["open", "done", "dismissed"]
    entry: str | None
    reason: str | None
    approximate: list[Approximate]
    contacts: list[str] | None = Field(None, description="chỉ quản trị viên thấy")


class WorklistPublic(_Public):
    items: list[WorkItem]


class DecisionWrite(_Public):
    language: str = Field(min_length=3, max_length=3)
    text: str = Field(min_length=1, max_length=100, pattern=LETTER)
    status: Literal["dismissed", "open"]
    reason: str | None = Field(None, max_length=500)


class DecisionPublic(_Public):
    language: str
    text: str
    status: Literal["open", "done", "dismissed"]


class SpeakerWrite(_Public):
    language: str = Field(min_length=3, max_length=3)
    name: str = Field(min_length=1, max_length=200, pattern=VISIBLE,
                      description="tên hoặc bút danh, như người đọc muốn được ghi")
    account: str | None = Field(None, max_length=200, description="tài khoản của người đọc, nếu có")
    sex: Literal["nam", "nữ", "khác", "male", "female", "other"] | None = None
    decade: int | None = Field(None, ge=1900, le=2020, multiple_of=10, description="thập niên sinh, ví dụ 1970")
    commune: str | None = Field(None, max_length=200)
    district: str | None = Field(None, max_length=200)
    province: str | None = Field(None, max_length=200)
    variety: str | None = Field(None, max_length=200, description="phương ngữ, biến thể")
    licence: Literal["CC BY 4.0", "internal"] = Field("CC BY 4.0", description="CC BY 4.0 (mặc định) hoặc internal: "
                                                      "chỉ dùng nội bộ")
    consent: Literal[True] = Field(description="người đọc đã nghe và đồng ý với lời đồng ý (GET /v1/speakers/consent)")


class SpeakerPublic(_Public):
    id: int
    language: str
    account: str | None
    name: str
    sex: str | None
    decade: int | None
    commune: str | None
    district: str | None
    province: str | None
    variety: str | None
    licence: str
    consent: str
    consented_on: str
    created_by: str
    withdrawn_at: str | None
    withdrawn_by: str | None


class ConsentPublic(_Public):
    text: str
    licences: list[str]


class CampaignWrite(_Public):
    language: str = Field(min_length=3, max_length=3)
    name: str = Field(min_length=1, max_length=200, pattern=VISIBLE)
    entries: list[str] | None = Field(None, max_length=5000)
    dataset: str | None = None
    order: Literal["most_looked_up", "alphabetical"] = "most_looked_up"
    limit: int | None = Field(None, ge=1, le=5000)


class Take(_Public):
    clip: str
    speaker: int
    review: str
    reason: str | None


class CampaignItem(_Public):
    entry: str
    headword: str | None
    meaning: str | None
    takes: list[Take]


class Progress(_Public):
    items: int
    recorded: int
    accepted: int
    rejected: int
    pending: int


class SpeakerProgress(_Public):
    speaker: int
    name: str | None
    withdrawn: bool
    recorded: int
    accepted: int
    rejected: int
    pending: int


class CampaignPublic(_Public):
    id: int
    language: str
    name: str
    dataset: str | None
    order: str
    created_by: str
    created_at: str
    items: list[CampaignItem]
    progress: Progress
    speakers: list[SpeakerProgress]


class PendingTake(_Public):
    clip: str
    entry: str
    text: str | None
    take: str
    speaker: int
    speaker_name: str | None
    duration_ms: int | None
    url: str
    at: str


class PendingPublic(_Public):
    campaign: int
    pending: list[PendingTake]


class ReviewWrite(_Public):
    verdict: Literal["accept", "reject"]
    reason: str | None = Field(None, max_length=500)


class ReviewPublic(_Public):
    clip: str
    review: str
    reason: str | None
    changed: bool


class CoverageRow(_Public):
    language: str
    language_name: str
    published: int
    recorded: int = Field(description="mục từ đã công bố có bản ghi giọng người bản ngữ được duyệt")
    pending: int = Field(description="bản ghi đang chờ duyệt")
    open_requests: int
    missed_30_days: int


class DatasetCoverage(_Public):
    dataset: str
    language: str
    published: int
    recorded: int
    pending: int


class CoveragePublic(_Public):
    languages: list[CoverageRow]
    datasets: list[DatasetCoverage]
