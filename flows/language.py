"""A light language check: which language's commonest words make up the text.

Enough to tell an Italian press release from an English, French, German or Spanish
page (the cases a nightly run meets), with no model to download. Texts too short to
judge give None.
"""
from __future__ import annotations

import re
from typing import Optional

MIN_WORDS = 20
MIN_SHARE = 0.12  # stop words are 35-50% of running text; below this, no verdict

STOP_WORDS = {
    "it": set("""il lo la i gli le un una uno di del della dei degli delle dello da dal dalla
        dai dagli dalle in nel nella nei negli nelle su sul sulla sui sugli sulle per con tra
        fra e ed o che non si è sono ha hanno anche come più ma alla alle allo al ai agli
        questo questa questi queste quello quella essere stato stata sarà ci ne se dopo
        oltre presso mentre già"""
                .split()),
    "en": set("""the of and to in a is that for on with as was by at from are be this it an
        which or has have had were will not their its been but they more also who would can
        we our said""".split()),
    "fr": set("""le la les de des du un une et en est que qui dans pour pas sur au aux avec
        par plus ce cette sont ont été sera leur nous vous""".split()),
    "de": set("""der die das und ist nicht ein eine den dem des mit von zu auf für sich im
        auch als wird wurde sind bei aus nach über""".split()),
    "es": set("""el la los las de del y en que un una por con para es se al lo como más
        pero sus ha han fue son está este esta""".split()),
}


def detect_language(text: str) -> Optional[str]:
    """ISO 639-1 code of the language whose stop words are commonest, or None."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < MIN_WORDS:
        return None
    shares = {lang: sum(w in stop for w in words) / len(words)
              for lang, stop in STOP_WORDS.items()}
    best = max(shares, key=shares.get)
    return best if shares[best] >= MIN_SHARE else None
