import pytest

from dictionary import languages
from dictionary.errors import UnknownLanguage


def test_registry_codes_are_valid_iso_639_3_with_vietnamese_names():
    listed = languages.registry()
    assert len(listed) >= 50
    for lang in listed:
        assert lang.in_vietnam and lang.name_vi and lang.name_en and lang.scripts
    by_code = {lang.code: lang for lang in listed}
    assert by_code["bdq"].name_vi == "Ba Na" and by_code["bdq"].name_en == "Bahnar"
    assert by_code["rad"].name_vi == "Ê Đê"
    assert by_code["khm"].scripts == ("Khmr",)


def test_other_iso_codes_are_accepted_with_english_name():
    assert languages.get("dtr").name_en == "Lotud"
    assert languages.get("dtr").name_vi is None


@pytest.mark.parametrize("code", ["xx", "zzz", "VIE", "vi", "", "bdq ", "'; drop"])
def test_unknown_codes_are_refused(code):
    with pytest.raises(UnknownLanguage):
        languages.get(code)
