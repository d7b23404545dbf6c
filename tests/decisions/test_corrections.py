"""Typo fixes to an open decision's description: limited to typo size, and shown publicly as made."""
import pytest

from civic.accounts.models import Role
from civic.decisions import corrections
from civic.decisions.models import DescriptionEdit
from civic.extensions import db
from tests.decisions.helpers import make_decision


@pytest.mark.parametrize("before, after, changed", [
    ("Une descriptoin", "Une description", 2),  # a swapped pair: one removed, one added
    ("Réunion à l'école", "Réunion à l’école", 2),
    ("abc", "abc", 0),
    ("", "abc", 3),
])
def test_changed_characters(before, after, changed):
    assert corrections.changed_characters(before, after) == changed


def test_the_allowance_is_twenty_characters_or_five_percent():
    assert corrections.allowed_change("x" * 100) == 20
    assert corrections.allowed_change("x" * 1000) == 50


def test_diff_segments_keep_context_and_mark_changes():
    before = "Le marché s'étend " + "et les terrasses manquent de place " * 4 + "le samedi matin."
    after = before.replace("samedi", "dimanche")
    segments = corrections.diff_segments(before, after)
    kinds = [k for k, _text in segments]
    assert "removed" in kinds and "added" in kinds
    removed = "".join(t for k, t in segments if k == "removed")
    added = "".join(t for k, t in segments if k == "added")
    assert corrections.changed_characters(before, after) == len(removed) + len(added)
    assert segments[0][0] == "equal" and segments[0][1].startswith("…")  # long unchanged text is shortened
    assert all(len(t) <= 2 * corrections.CONTEXT + 1 for k, t in segments if k == "equal")


def test_a_typo_fix_is_shown_publicly_before_and_after(client, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(state="open", description="Les travaux commencerons en mars.")
    response = client.post_form(f"/decisions/{decision.id}/description",
                                {"description": "Les travaux commenceront en mars."})
    assert response.status_code == 302
    client.post_form("/logout")
    page = client.get(f"/decisions/{decision.id}").get_data(as_text=True)
    assert "<del>" in page and "<ins>" in page
    assert "supprimé" in page or "removed" in page  # said to screen readers, not only struck through


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
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Erreur : " in page and rewritten in page
    db.session.refresh(decision)
    assert decision.description == original
    assert db.session.execute(db.select(db.func.count(DescriptionEdit.id))).scalar_one() == 0
