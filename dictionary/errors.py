"""Domain exceptions.  They carry their meaning; only ``api/`` turns them into HTTP."""

from __future__ import annotations


class DictionaryError(Exception):
    """Base of every error the domain raises on purpose."""


class ConfigurationError(DictionaryError):
    """A setting that cannot be used (a backend that does not exist, a number that is not one);
    the message names the setting."""


class UnknownLanguage(DictionaryError):
    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(
            f"Mã ngôn ngữ không hợp lệ: {code!r}. Hãy dùng mã ISO 639-3 gồm ba chữ cái thường, "
            f"ví dụ 'vie' (tiếng Việt), 'bdq' (Ba Na), 'mww' (H'Mông Trắng); "
            f"danh sách có ở /v1/languages."
        )


class LanguageNotFound(DictionaryError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"Từ điển chưa có ngôn ngữ nào mang mã {code!r}; danh sách có ở /v1/languages.")


class EntryNotFound(DictionaryError):
    def __init__(self, entry_id: str) -> None:
        self.entry_id = entry_id
        super().__init__(f"Không có mục từ nào mang mã {entry_id!r}.")


class DatasetNotFound(DictionaryError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Không có bộ dữ liệu nào tên {name!r}.")


class FeedExpired(DictionaryError):
    """A change-feed cursor the feed does not reach (older than what it keeps, or of another store)."""

    def __init__(self, since: int, start: int, head: int) -> None:
        self.since, self.start, self.head = since, start, head
        if since > head:
            why = f"con trỏ {since} lớn hơn thay đổi mới nhất ({head}): nó thuộc về một kho dữ liệu khác"
        else:
            why = f"nhật ký thay đổi chỉ còn giữ từ sau thay đổi {start}"
        super().__init__(f"Không cập nhật được từ thay đổi {since}: {why}. "
                         "Hãy tải lại gói ngôn ngữ (GET /v1/packs/{language}) rồi cập nhật tiếp từ phiên bản của gói.")


class InvalidQuery(DictionaryError):
    """A query the service cannot run as given; the message says how to fix it."""


class ImportRejected(DictionaryError):
    """A file that cannot be imported; ``problems`` lists every located problem found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


class BackendUnavailable(DictionaryError):
    """The search engine cannot answer now (down, slow, refusing)."""

    retry_after = 5  # seconds a client should wait before asking again


class StoreUnavailable(DictionaryError):
    """The database does not answer (PostgreSQL down or unreachable): try again shortly."""

    retry_after = 5


class Busy(DictionaryError):
    """Too much of this kind of work is waiting already; the client should ask again shortly."""

    def __init__(self, message: str, retry_after: int = 2) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class IndexMissing(DictionaryError):
    """The search index has not been built from the store yet."""


class AccessDenied(DictionaryError):
    """A write its sender may not make: not signed in, or not with that role or language."""


class AudioRejected(DictionaryError):
    """A file that is not a usable recording; the message says why."""


class AudioTooLarge(AudioRejected):
    """A file over the size bound."""

    def __init__(self, size: int, limit: int) -> None:
        self.size, self.limit = size, limit
        super().__init__(f"Tệp quá lớn ({size / 1e6:.1f} MB); tối đa {limit / 1e6:g} MB.")


class AudioNotFound(DictionaryError):
    def __init__(self, clip_id: str) -> None:
        super().__init__(f"Không có đoạn âm thanh nào mang mã {clip_id!r}.")


class NoAudio(DictionaryError):
    """Nothing to play: no recording, and no voice that can read the word fairly."""


class SpeechUnavailable(DictionaryError):
    """Every engine of the chain failed just now (no network, time-out, rate limit)."""


class InvalidRecording(DictionaryError):
    """The fields sent with a recording are wrong; the message names the field."""


class AccountExists(DictionaryError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Đã có tài khoản mang tên {name!r}.")


class AccountNotFound(DictionaryError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Không có tài khoản nào mang tên {name!r}.")


class SessionNotFound(DictionaryError):
    def __init__(self, handle: str) -> None:
        super().__init__(f"Không có phiên đăng nhập nào mã {handle!r} (có thể phiên đã kết thúc).")


class InvalidAccount(DictionaryError):
    """An account's fields are wrong; the message names the field."""


class NotSignedIn(AccessDenied):
    def __init__(self) -> None:
        super().__init__(
            "Thao tác này cần đăng nhập: gửi kèm tiêu đề Authorization: Bearer <mã truy cập> "
            "(quản trị viên tạo bằng `tudien users add`), hoặc X-API-Key với một khoá dịch vụ "
            "cấu hình trong TUDIEN_API_KEYS."
        )


class WrongPassword(AccessDenied):
    """A sign-in that failed: the same words for an unknown name and a wrong password."""

    def __init__(self) -> None:
        super().__init__("Tên đăng nhập hoặc mật khẩu không đúng.")


class WrongCode(AccessDenied):
    """A second-factor code (from the authenticator app, or a recovery code) that is not right,
    was already used, or came too late."""

    def __init__(self) -> None:
        super().__init__("Mã xác thực không đúng hoặc đã được dùng; hãy nhập mã mới trong ứng dụng xác thực, "
                         "hoặc một mã khôi phục chưa dùng.")


class TooManySignIns(AccessDenied):
    """Too many failed sign-ins for a name or from a client: a pause before the next try."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        wait = f"{retry_after} giây" if retry_after < 60 else f"{max(1, round(retry_after / 60))} phút"
        super().__init__(f"Đã nhập sai quá nhiều lần; xin chờ khoảng {wait} rồi thử lại.")


class Forbidden(AccessDenied):
    """Signed in, but the role or the languages of the account do not allow this."""


class InvalidEntry(DictionaryError):
    """An entry's field that cannot be stored; ``field`` names it (``senses[0].glosses.vie``)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"Trường {field}: {message}")


class UsePack(DictionaryError):
    """Too many changes after a cursor to send through the feed: a pack holds them at a fraction
    of the cost."""

    def __init__(self, since: int, waiting: int, language: str | None) -> None:
        self.since, self.waiting, self.language = since, waiting, language
        where = f"gói ngôn ngữ (GET /v1/packs/{language})" if language else "gói của từng ngôn ngữ (danh sách ở GET /v1/packs)"
        super().__init__(f"Có {waiting} thay đổi sau thay đổi {since}: quá nhiều để gửi qua nhật ký thay đổi. "
                         f"Hãy tải {where}, rồi cập nhật tiếp từ phiên bản của gói.")


class PreconditionRequired(DictionaryError):
    """A change of an entry sent without the revision it was made from (If-Match)."""

    def __init__(self, why: str = "") -> None:
        super().__init__(
            f"{why}Hãy gửi kèm tiêu đề If-Match với ETag của phiên bản mục từ bạn đã đọc (GET /v1/entries/{{id}}), "
            "để không ghi đè lên thay đổi của người khác."
        )


class StaleRevision(DictionaryError):
    """The entry changed since the revision the writer read."""

    def __init__(self, entry_id: str, current: int, sent: int | None = None) -> None:
        self.current_revision = current
        read = f" (bạn đã đọc phiên bản {sent})" if sent is not None else ""
        super().__init__(
            f"Mục từ {entry_id!r} đã được người khác sửa: phiên bản hiện tại là {current}{read}. "
            "Hãy đọc lại mục từ, áp dụng lại thay đổi của bạn rồi gửi với ETag mới."
        )


class WeakETag(DictionaryError):
    """An If-Match naming a weak ETag: it never matches a revision (If-Match compares strongly)."""

    def __init__(self, sent: str) -> None:
        super().__init__(
            f"ETag yếu {sent.strip()[:40]!r} không xác định một phiên bản: If-Match chỉ khớp với ETag mạnh của "
            "phiên bản đã đọc, ví dụ \"r3\" (không có W/)."
        )


class InvalidTransition(DictionaryError):
    """A status move the entry's current status does not allow."""


class RevisionNotFound(DictionaryError):
    def __init__(self, entry_id: str, revision: object) -> None:
        super().__init__(f"Mục từ {entry_id!r} không có phiên bản {revision!r}; xem /v1/entries/{entry_id}/history.")


class SuggestionNotFound(DictionaryError):
    def __init__(self, number: object) -> None:
        super().__init__(f"Không có góp ý nào mang số {number!r}.")


class SuggestionClosed(DictionaryError):
    """A suggestion accepted or dismissed already."""


class NothingThere(DictionaryError):
    """A term request, a campaign, a speaker or a recording to review that does not exist."""

    def __init__(self, what: str, number: object) -> None:
        super().__init__(f"Không có {what} nào mang số {number!r}.")


class InvalidGrowth(DictionaryError):
    """A term request, campaign, speaker or review that cannot be accepted as sent; the message
    says what to change."""
