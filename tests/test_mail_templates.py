"""Every plain-text mail keeps the lines of its template: no sentence glued to the one before it, whichever of
its optional lines are there, in each language."""
import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from civic.answers.models import AnswerStatus
from civic.followup.models import ImplementationStatus
from civic.mail import render_mail
from civic.moderation.models import ModerationKind
from civic.processes.models import Feasibility

# The mails are rendered from the values below, in the app's contexts: what a database holds changes none of them,
# and the SQLite run checks them (tests/conftest.py).
pytestmark = pytest.mark.database_independent

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MAIL_TEMPLATES = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.glob("**/mail/*.txt"))
# Addresses aside, a letter, a digit or the end of a sentence right before a capital: two sentences glued.
ADDRESS = re.compile(r"\bhttps?://\S+")
GLUED = re.compile(r"[a-zà-öø-ÿ0-9.!?:;»”)][A-ZÀ-ÖØ-Þ]")


def _values(optional):
    """What the mail templates are given, every optional part present or absent."""
    proposal = SimpleNamespace(id=12, title="Des bancs place du marché")
    return {
        "user": SimpleNamespace(display_name="Camille Martin"), "proposal": proposal,
        "answer": SimpleNamespace(status=AnswerStatus.ACCEPTED, text="Les bancs seront posés en mai."),
        "role": "author", "decision": SimpleNamespace(id=3, title="Budget participatif",
                                                      closes_at=datetime(2027, 1, 31, 17, tzinfo=UTC)),
        "reviewed": "Votre proposition a été relue.", "link": "https://civic.test/proposals/12",
        "kind": ModerationKind.MERGE, "reason": "Doublon" if optional else "",
        "message": "Précisez le lieu" if optional else "", "merge_into": proposal if optional else None,
        "unsubscribe_url": "https://civic.test/unsubscribe/x" if optional else None,
        "url": "https://civic.test/confirm/x", "login_url": "https://civic.test/login",
        "reset_url": "https://civic.test/forgot", "register_url": "https://civic.test/register", "minutes": 30,
        "record": SimpleNamespace(id=5, title="Le lavoir", reason="Terrain refusé.", status=(
            ImplementationStatus.ABANDONED if optional else ImplementationStatus.UNDER_WAY)),
        "earlier": ImplementationStatus.TO_DO, "milestone": SimpleNamespace(day=date(2027, 3, 15), text="Travaux"),
        # A study of a proposal of a process (mail/studied.txt): a change of feasibility, with a cost.
        "entry": SimpleNamespace(feasibility=Feasibility.FEASIBLE, estimated_cost=12000 if optional else None,
                                 study_reason="Réalisable par les services."),
        "earlier_feasibility": Feasibility.NOT_FEASIBLE if optional else None,
    }


def test_the_mail_templates_are_all_found():
    assert "mail/moderated.txt" in MAIL_TEMPLATES and "accounts/mail/reset_password.txt" in MAIL_TEMPLATES


@pytest.mark.parametrize("optional", [True, False], ids=["every optional line", "none"])
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("template", MAIL_TEMPLATES)
def test_no_mail_glues_two_sentences_together(app, template, language, optional):
    with app.test_request_context(), force_locale(language):
        body = render_mail(template, **_values(optional))
    text = ADDRESS.sub(" ", body)
    assert not GLUED.findall(text), body
    assert "\n\n\n" not in body, body
    if template == "mail/moderated.txt" and optional:
        lines = body.splitlines()
        reason = "Raison\u202f:" if language == "fr" else "Reason:"
        assert f"{reason} Doublon" in lines and any(line.startswith("Fusionnée") or line.startswith("Merged")
                                                     for line in lines), body
