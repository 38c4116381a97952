"""What a recording must say and how large it may be: the checks of a recording's details (the
API's form, ``tudien audio import``) and the library's limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dictionary.errors import InvalidRecording
from dictionary.text.normalize import canonical

SEXES = {"nam": "male", "nữ": "female", "male": "male", "female": "female", "m": "male", "f": "female",
         "khác": "other", "other": "other"}

@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20_000_000  # 20 MB, as the README and every message say
    max_seconds: float = 30.0
    synthetic_bytes: int = 200_000_000  # synthetic clips kept (a cache: the oldest go first)


@dataclass(frozen=True)
class RecordingInfo:
    speaker: str
    licence: str
    sex: str | None = None
    dialect: str | None = None
    attribution: str | None = None
    recorded_on: str | None = None

    @classmethod
    def checked(cls, *, speaker: str | None, licence: str | None, sex: str | None = None,
                dialect: str | None = None, attribution: str | None = None,
                recorded_on: str | None = None) -> RecordingInfo:
        def clean(value: str | None, name: str, limit: int = 200) -> str | None:
            if value is None:
                return None
            value = canonical(value)
            if len(value) > limit:
                raise InvalidRecording(f"Trường {name} dài quá {limit} ký tự.")
            return value or None

        speaker, licence = clean(speaker, "speaker"), clean(licence, "licence")
        if not speaker:
            raise InvalidRecording("Thiếu trường speaker: tên hoặc mã người đọc.")
        if not licence:
            raise InvalidRecording("Thiếu trường licence: giấy phép của bản ghi, ví dụ CC BY 4.0.")
        sex_value = None
        if sex and sex.strip():
            sex_value = SEXES.get(canonical(sex).lower())
            if sex_value is None:
                raise InvalidRecording(f"Trường sex không hợp lệ: {sex!r}; dùng nam, nữ hoặc khác.")
        day = clean(recorded_on, "recorded_on", 10)
        if day:
            try:
                when = date.fromisoformat(day)
            except ValueError:
                raise InvalidRecording(
                    f"Trường recorded_on không hợp lệ: {day!r}; viết theo dạng năm-tháng-ngày, ví dụ 2024-05-31."
                ) from None
            # today somewhere on Earth (UTC+14) is the latest day a recording can have been made
            latest = (datetime.now(UTC) + timedelta(hours=14)).date()
            if when > latest:
                raise InvalidRecording(f"Trường recorded_on là ngày {when.strftime('%d/%m/%Y')}, còn ở tương lai: "
                                       "hãy ghi ngày đã thu âm.")
        return cls(speaker, licence, sex_value, clean(dialect, "dialect"), clean(attribution, "attribution", 500), day)


@dataclass
class ImportReport:
    added: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
