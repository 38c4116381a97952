"""Vietnamese word segmentation, by underthesea.

Vietnamese writes a space between syllables, not between words: "nước sạch" (clean water) and
"gia đình" (family) are one word each.  underthesea's CRF word segmenter (Apache-2.0, maintained,
its model inside the wheel, offline) says where words end; the translator takes those words as its
units, while the dictionary's own multi-syllable glosses may still join several of them.

The segmenter rewrites what it returns (tone placement, spacing), so its words are mapped back onto
the text by counting syllables, never by searching for its strings; where the counts disagree the
text is left unsegmented rather than mis-aligned.
"""

from __future__ import annotations

import re
from functools import lru_cache

SYLLABLE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@lru_cache(maxsize=1)
def _tokenizer():
    from underthesea import word_tokenize

    return word_tokenize


def word_lengths(text: str) -> list[int] | None:
    """For each syllable of ``text`` (as SYLLABLE finds them), in order: how many syllables the word
    starting there has, or 0 where the syllable is inside a word.  None if segmentation failed."""
    try:
        tokens = _tokenizer()(text)
    except Exception:  # a segmenter failure must not stop a lookup: fall back to syllables
        return None
    lengths: list[int] = []
    for token in tokens:
        n = len(SYLLABLE.findall(token))
        if n:
            lengths += [n] + [0] * (n - 1)
    if len(lengths) != len(SYLLABLE.findall(text)):
        return None
    return lengths
