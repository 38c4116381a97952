"""Vietnamese terms a glossary keeps whole, and the function words it sets aside.

A word segmenter splits "Ủy ban nhân dân" into "Ủy", "ban" and "nhân dân", and a communicator
then reads "Ủy → wi; uy; ui" and a gap "ban nhân dân".  The names of the state's bodies, papers
and programmes below are kept whole before segmentation, whether or not the dictionary has them
yet (when it has not, the whole term is the gap to fill).  The dictionary's own multi-syllable
glosses, in any language, are kept whole too (see :mod:`dictionary.search.translate`).

The list was compiled for this project from the names Vietnamese administration uses for its
bodies, documents and policies (they are Vietnamese common nouns, not any source's text) and is
under the project's licence.  Both spellings of tone placement match (ủy/uỷ, hòa/hoà).
"""

from __future__ import annotations

from functools import cache

from dictionary.text.normalize import search_keys

ADMINISTRATIVE = (
    # bodies
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Mặt trận Tổ quốc", "Ủy ban Mặt trận Tổ quốc",
    "Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh", "Đoàn Thanh niên",
    "Ban Dân tộc", "Ủy ban Dân tộc", "Bộ đội Biên phòng", "đồn biên phòng", "công an xã",
    "trạm y tế", "trung tâm y tế", "bệnh viện huyện", "trường mầm non", "trường tiểu học",
    "trường trung học cơ sở", "trường phổ thông dân tộc nội trú", "trường phổ thông dân tộc bán trú",
    "bộ phận một cửa", "Quốc hội", "Chính phủ", "nhà văn hóa", "tổ dân phố", "trưởng thôn",
    "trưởng bản", "già làng", "người có uy tín", "cán bộ xã", "cán bộ tư pháp",
    # papers and procedures
    "căn cước công dân", "thẻ căn cước công dân", "thẻ căn cước", "chứng minh nhân dân", "giấy khai sinh", "giấy chứng tử",
    "giấy chứng nhận kết hôn", "sổ hộ khẩu", "đăng ký thường trú", "đăng ký tạm trú", "định danh điện tử",
    "giấy chứng nhận quyền sử dụng đất", "quyền sử dụng đất", "thủ tục hành chính", "dịch vụ công",
    "dịch vụ công trực tuyến", "hồ sơ", "đơn đề nghị", "giấy tờ tùy thân",
    # policies and programmes
    "bảo hiểm y tế", "bảo hiểm xã hội", "thẻ bảo hiểm y tế", "hộ nghèo", "hộ cận nghèo",
    "trợ cấp xã hội", "trợ giúp pháp lý", "dân tộc thiểu số", "vùng đồng bào dân tộc thiểu số",
    "vùng đặc biệt khó khăn", "xã đặc biệt khó khăn", "nông thôn mới", "tiêm chủng",
    "tiêm chủng mở rộng", "phòng chống dịch", "khám chữa bệnh", "nước sạch", "vệ sinh môi trường",
    "bảo vệ rừng", "phòng cháy chữa cháy", "bầu cử", "đại biểu Quốc hội", "nghĩa vụ quân sự",
    "tảo hôn", "hôn nhân cận huyết thống", "bạo lực gia đình", "buôn bán người", "ma túy",
    "vay vốn", "ngân hàng chính sách xã hội", "học bổng", "khuyến nông",
)

# Words that tie a sentence together rather than name anything: a glossary lists them apart,
# folded away, so the terms a communicator needs are not lost among them.
_FUNCTION_WORDS = ("""
và với cùng hoặc hay hay là nhưng mà thì là của cho để từ đến tới tại ở trong ngoài trên dưới
về theo do vì nên nếu thì khi lúc này kia ấy đó đây các những mọi mỗi từng một có không chưa
đã đang sẽ vẫn còn cũng đều rất quá lắm hơn nhất được bị bởi rằng như thế nào gì ai đâu sao
ạ nhé nhỉ à ư chứ cả chỉ ngay luôn thêm nữa lại ra vào lên xuống hãy đừng chớ phải cần nên
""".split())


@cache
def administrative() -> dict[int, frozenset[str]]:
    """The administrative terms' tone keys, by number of syllables."""
    out: dict[int, set[str]] = {}
    for phrase in ADMINISTRATIVE:
        key = search_keys(phrase).tone
        out.setdefault(len(key.split(" ")), set()).add(key)
    return {n: frozenset(keys) for n, keys in out.items()}


@cache
def function_words() -> frozenset[str]:
    """The function words' tone keys."""
    return frozenset(search_keys(word).tone for word in _FUNCTION_WORDS)


def is_function_word(text: str) -> bool:
    return search_keys(text).tone in function_words()
