"""The editors' desk: what waits for review, readers' suggestions, the audit log."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dictionary.model import Comment, Contact, SuggestionText
from dictionary.public import entry_url

from .common import _Public


class ReviewItem(_Public):
    id: str
    language: str
    headword: str
    revision: int
    published_revision: int | None
    author: str
    at: str
    comment: str | None
    url: str


class ReviewPublic(_Public):
    entries: list[ReviewItem]


class SuggestionWrite(_Public):
    text: SuggestionText = Field(description="điều cần sửa, tối đa 2.000 ký tự")
    contact: Contact | None = Field(None, description="cách liên lạc lại (không bắt buộc)")


class SuggestionReceived(_Public):
    id: int
    status: Literal["open"]


class SuggestionPublic(_Public):
    id: int
    entry: str
    language: str
    text: str
    contact: str | None
    at: str
    status: Literal["open", "accepted", "dismissed"]
    resolved_by: str | None
    resolved_at: str | None
    comment: str | None
    url: str


class SuggestionsPublic(_Public):
    suggestions: list[SuggestionPublic]


class ResolveWrite(_Public):
    status: Literal["accepted", "dismissed"]
    comment: Comment | None = None
    revision: int | None = Field(None, ge=1, le=2**31,
                                 description="phiên bản đã sửa theo góp ý (khi nhận): góp ý ghi lại phiên bản ấy")


class TeamRuleWrite(_Public):
    four_eyes: bool = Field(description="true: biên tập viên không công bố nội dung chính mình sửa lần cuối")
    comment: Comment | None = Field(None, description="lý do, ghi vào nhật ký kiểm tra")


class TeamRulePublic(_Public):
    language: str
    four_eyes: bool


class TeamRulesPublic(_Public):
    default: bool = Field(description="quy tắc của hệ thống (TUDIEN_FOUR_EYES) cho ngôn ngữ chưa đặt riêng")
    languages: dict[str, bool]


class AuditRecord(_Public):
    id: int
    at: str
    actor: str
    client: str | None
    action: str
    target: str | None
    detail: dict[str, Any] | None


class AuditPublic(_Public):
    records: list[AuditRecord]


def suggestion_public(row: dict) -> dict:
    return {"id": row["id"], "entry": row["entry_id"], "language": row["language"], "text": row["text"],
            "contact": row["contact"], "at": row["at"], "status": row["status"],
            "resolved_by": row["resolved_by"], "resolved_at": row["resolved_at"], "comment": row["comment"],
            "url": entry_url(row["entry_id"])}
