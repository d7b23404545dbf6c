"""Typo fixes to an open decision's description: limited to typo size, and shown publicly as made."""
import re

import pytest

from civic.accounts.models import Role
from civic.decisions import corrections
from civic.decisions.models import DescriptionEdit
from civic.domain import DomainError
from civic.extensions import db
from tests.client import Page, text_of
from tests.factories import make_user
from tests.decisions.helpers import make_decision


# ---- measuring a change -------------------------------------------------------------------------

@pytest.mark.parametrize("before, after, changed", [
    ("Une descriptoin", "Une description", 2),  # a swapped pair: one removed, one added
    ("Réunion à l'école", "Réunion à l’école", 2),  # typographic apostrophe
    ("Réunion à l'ecole", "Réunion à l'école", 2),  # an accent added: e removed, é added
    ("Le cafe", "Le café", 2),
    ("Zone 30 → 50 km/h", "Zone 30 → 40 km/h", 2),
    ("abc", "abc", 0),
    ("", "abc", 3),
    ("abc", "", 3),
])
def test_changed_characters(before, after, changed):
    assert corrections.changed_characters(before, after) == changed


def test_a_typo_in_a_long_text_is_measured_quickly(monkeypatch):
    text = "Le conseil propose de rénover la piscine et le parc du quartier. " * 150  # about 10 000 characters
    fixed = text[:5000] + text[5000:].replace("piscine", "piscines", 1)
    compared = []
    real = corrections.SequenceMatcher

    def recording(junk, a, b, **kwargs):
        compared.append((len(a), len(b)))
        return real(junk, a, b, **kwargs)

    monkeypatch.setattr(corrections, "SequenceMatcher", recording)
    corrections._opcodes.cache_clear()
    assert corrections.changed_characters(text, fixed) == 1
    # difflib is quadratic: it only ever sees what lies between the common start and end.
    assert compared == [(0, 1)]


@pytest.mark.parametrize("length, allowed", [
    (0, 20), (100, 20), (399, 20), (400, 20), (419, 20), (420, 21), (1000, 50), (10_000, 500),
])
def test_the_allowance_is_twenty_characters_or_five_percent(length, allowed):
    assert corrections.allowed_change("x" * length) == allowed


# ---- the rule, without the web ------------------------------------------------------------------

@pytest.fixture
def in_request(app, ctx):
    """Messages are translated for a request's locale (French by default)."""
    with app.test_request_context():
        yield


def _count_edits():
    return db.session.execute(db.select(db.func.count(DescriptionEdit.id))).scalar_one()


@pytest.mark.parametrize("length, added, accepted", [
    (100, 20, True),  # exactly at the limit
    (100, 21, False),  # one over
    (1000, 50, True),
    (1000, 51, False),
])
def test_the_limit_is_exact_in_the_service(in_request, length, added, accepted):
    decision = make_decision(state="open", description="a" * length)
    official = make_user(role=Role.ELECTED)
    text = "a" * length + "é" * added  # non-ASCII letters count one each
    if accepted:
        corrections.fix_description(decision, official, text)
        assert decision.description == text and _count_edits() == 1
    else:
        with pytest.raises(DomainError) as refused:
            corrections.fix_description(decision, official, text)
        assert refused.value.field == "description"
        assert str(length // 20 if length >= 400 else 20) in str(refused.value.message)
        assert re.search("new decision|nouvelle décision", str(refused.value.message))
        assert decision.description == "a" * length and _count_edits() == 0


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_the_description_cannot_be_emptied(in_request, text):
    decision = make_decision(state="open", description="Court.")  # even when removing it all is few characters
    with pytest.raises(DomainError) as refused:
        corrections.fix_description(decision, make_user(role=Role.ELECTED), text)
    assert refused.value.field == "description"
    assert decision.description == "Court." and _count_edits() == 0


@pytest.mark.parametrize("text", ["Contexte.", "  Contexte.\n"])
def test_no_change_logs_nothing(in_request, text):
    decision = make_decision(state="open", description="Contexte.")
    corrections.fix_description(decision, make_user(role=Role.ELECTED), text)
    assert decision.description == "Contexte." and _count_edits() == 0


def test_growing_the_text_does_not_raise_its_own_allowance(in_request):
    decision = make_decision(state="open", description="x" * 400)  # allows 20, whatever comes after
    with pytest.raises(DomainError):
        corrections.fix_description(decision, make_user(role=Role.ELECTED), "x" * 400 + "y" * 30)


# ---- showing a change ---------------------------------------------------------------------------

def _removed_added(segments):
    return ([t for k, t in segments if k == "removed"], [t for k, t in segments if k == "added"])


@pytest.mark.parametrize("before, after, removed, added", [
    ("Une descriptoin", "Une description", ["descriptoin"], ["description"]),  # whole words, not "descript-i-o-n"
    ("le samedi matin", "le dimanche matin", ["samedi"], ["dimanche"]),
    ("Réunion à l'ecole", "Réunion à l'école", ["ecole"], ["école"]),
    ("Les travaux commencent", "Les travaux, commencent", [], [","]),  # punctuation alone stays alone
    ("un deux", "un  deux", [], [" "]),
    ("", "Texte", [], ["Texte"]),
])
def test_diff_segments_show_whole_words(before, after, removed, added):
    assert _removed_added(corrections.diff_segments(before, after)) == (removed, added)


def test_diff_segments_rebuild_both_texts_when_nothing_is_shortened():
    before, after = "Le marché ouvre le samedi matin.", "Le marchés ouvre le dimanche matin."
    segments = corrections.diff_segments(before, after)
    assert "".join(t for k, t in segments if k != "added") == before
    assert "".join(t for k, t in segments if k != "removed") == after
    assert segments == [("equal", "Le "), ("removed", "marché"), ("added", "marchés"), ("equal", " ouvre le "),
                        ("removed", "samedi"), ("added", "dimanche"), ("equal", " matin.")]


def test_diff_segments_keep_context_and_shorten_long_unchanged_text():
    before = "Le marché s'étend " + "et les terrasses manquent de place " * 4 + "le samedi matin, " * 4 + "fin."
    after = before.replace("samedi", "dimanche", 1)
    segments = corrections.diff_segments(before, after)
    assert _removed_added(segments) == (["samedi"], ["dimanche"])
    first, last = segments[0], segments[-1]
    assert first[0] == "equal" and first[1].startswith("…") and first[1].endswith("place le ")
    assert last[0] == "equal" and last[1].startswith(" matin,") and last[1].endswith("…")
    for kind, text in segments:
        if kind == "equal":
            assert len(text) <= corrections.CONTEXT + 1
            assert not re.search(r"\w…|…\w", text)  # cut between words


def test_diff_segments_of_no_change_is_empty():
    assert corrections.diff_segments("Même texte.", "Même texte.") == []


def test_a_very_long_word_is_not_shown_whole():
    reference = "A" * 200
    segments = corrections.diff_segments(f"Réf. {reference}", f"Réf. {reference}B")
    assert _removed_added(segments) == ([], ["B"])


# ---- through the web ----------------------------------------------------------------------------

def _marked(element, tag):
    """(words for screen readers, text shown) of each <del> or <ins> in the element."""
    return [(text_of(mark.select_one(".visually-hidden")), "".join(mark.find_all(string=True, recursive=False)))
            for mark in element.select(tag)]


def test_a_typo_fix_is_shown_publicly_before_and_after(client, login_as):
    login_as(Role.ELECTED, name="Camille Officielle")
    decision = make_decision(state="open", description="Les travaux commencerons en mars.")
    response = client.post_form(f"/decisions/{decision.id}/description",
                                {"description": "Les travaux commenceront en mars."})
    assert response.status_code == 302
    client.post_form("/logout")
    response = client.get(f"/decisions/{decision.id}")
    [correction] = Page(response).select("ul.corrections li")
    # Said to screen readers, not only struck through or underlined.
    assert ("supprimé :", "commencerons") in _marked(correction, "del")
    assert ("ajouté :", "commenceront") in _marked(correction, "ins")
    context = correction.select_one(".diff").find_all(string=True, recursive=False)
    assert "Les travaux " in context and " en mars." in context  # context around the change
    assert correction.select_one("time")["datetime"]
    # The official who fixed it is not named publicly.
    assert "Camille Officielle" not in response.get_data(as_text=True)


def test_a_whitespace_only_fix_is_not_invisible(client, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(state="open", description="Premier paragraphe.\n\n\nSecond.")
    client.post_form(f"/decisions/{decision.id}/description", {"description": "Premier paragraphe.\n\nSecond."})
    page = Page(client.get(f"/decisions/{decision.id}"))
    assert any(hidden and re.match(r"\(\w", shown) for hidden, shown in _marked(page.soup, "ul.corrections del"))


def test_the_form_says_what_is_allowed_before_typing(client, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(state="open", description="x" * 1000)
    page = Page(client.get(f"/decisions/{decision.id}/description"))
    assert "50" in page.text("main .narrow > p") and not page.errors


@pytest.mark.parametrize("length, extra", [(100, 20), (1000, 50)])
def test_the_limit_is_exact(client, login_as, length, extra):
    login_as(Role.ELECTED)
    decision = make_decision(state="open", description="a" * length)
    over = client.post_form(f"/decisions/{decision.id}/description", {"description": "a" * length + "b" * (extra + 1)})
    assert over.status_code == 200
    at_limit = client.post_form(f"/decisions/{decision.id}/description", {"description": "a" * length + "b" * extra})
    assert at_limit.status_code == 302


def test_a_larger_change_is_refused_keeps_the_text_and_changes_nothing(client, login_as):
    login_as(Role.ELECTED)
    original = "Trois noms ont été proposés par le conseil de quartier."
    decision = make_decision(state="open", description=original)
    rewritten = "Finalement, nous ne retenons que deux noms, choisis par le maire."
    response = client.post_form(f"/decisions/{decision.id}/description", {"description": rewritten})
    page = Page(response)
    assert response.status_code == 200 and page.title.startswith("Erreur : ")
    assert page.has('.error-summary a[href="#description"]')
    assert page.select_one("#description")["aria-invalid"] == "true"
    error = page.field_error("description")
    assert "20" in error and "nouvelle décision" in error
    assert page.value("description") == rewritten  # what was typed is kept
    db.session.refresh(decision)
    assert decision.description == original
    assert _count_edits() == 0
    assert not Page(client.get(f"/decisions/{decision.id}")).has(".corrections")
