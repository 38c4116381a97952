import pytest

from corpora.glosses import split_glosses


@pytest.mark.parametrize(
    ("cell", "glosses", "notes"),
    [
        ("tao / (tôi)", ["tao", "tôi"], []),  # mtq-muongbi-vie.tsv
        ("đất (1)", ["đất"], ["1"]),  # a WOLD homonym marker
        ("tao ; tôi", ["tao", "tôi"], []),
        ("nó / hắn", ["nó", "hắn"], []),
        ("núi (mít", ["núi"], ["mít"]),  # a note never closed (bahnaric.csv)
        ("cây rui (nhà, cột)", ["cây rui"], ["nhà, cột"]),  # separators inside a note stay there
        ("ku thê,", ["ku thê"], []),
        ("ăn, uống; ăn", ["ăn", "uống"], []),
        ("", [], []),
        ("  ", [], []),
    ],
)
def test_split(cell, glosses, notes):
    assert split_glosses(cell) == (glosses, notes)
