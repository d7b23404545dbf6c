"""The demo's consultations: one open, answered online and at a counter, its texts published or waiting for a
moderator; one past, whose results and synthesis are public."""
from collections import Counter

from civic.accounts.models import Role, User
from civic.counters.models import AssistedAction, AssistedActionKind, Channel
from civic.extensions import db
from civic.processes.models import Process
from civic.questionnaires.models import Questionnaire, Response, TextState
from civic.targets import TargetType
from tests.conftest import demo_app_for_this_module

app = demo_app_for_this_module()


def _questionnaire(title):
    return db.session.execute(db.select(Questionnaire).join(Process).where(Process.title == title)).scalar_one()


def test_the_demo_has_an_open_consultation_and_a_past_one_with_its_synthesis(client_request, login_as, ctx):
    market = _questionnaire("Consultation sur la place du marché")
    responses = db.session.execute(db.select(Response).where(Response.questionnaire_id == market.id)).scalars().all()
    (at_counter,) = [r for r in responses if r.channel is Channel.COUNTER]
    assert db.session.get(User, at_counter.assisted_by_id).role is Role.COUNTER_AGENT and at_counter.counter is not None
    audit = db.session.execute(db.select(AssistedAction).where(
        AssistedAction.kind == AssistedActionKind.QUESTIONNAIRE_ANSWERED)).scalar_one()
    assert (audit.object_type, audit.object_id, audit.resident_id) == (TargetType.QUESTIONNAIRE, market.id,
                                                                      at_counter.respondent_id)
    assert audit.follow_up_code
    states = [a.text_state for r in responses for a in r.answers if a.text is not None]
    assert states.count(TextState.PENDING) == 1 and TextState.PUBLISHED in states
    # Open: its results wait for the end of the questionnaire.
    client_request.get("questionnaire_results.results_page", process_id=market.process_id, _expected_status=302)

    library = _questionnaire("Consultation sur les horaires de la médiathèque")
    page = client_request.get("questionnaire_results.results_page", process_id=library.process_id)
    # The synthesis's figures are the seeded answers' (the page's count and the leading slot).
    synthesis = page.text("#synthesis-title + p + div")
    responses = db.session.execute(db.select(Response).where(Response.questionnaire_id == library.id)).scalars().all()
    slots = Counter(a.choice.label for r in responses for a in r.answers if a.choice is not None)
    (leading, most), = slots.most_common(1)
    assert leading == "Le dimanche matin" and list(slots.values()).count(most) == 1
    assert synthesis.startswith(f"{len(responses)} habitants ont répondu en ligne")
    assert f"({most} réponses sur {len(responses)})" in synthesis
    assert len(page.select("table")) == 2

    login_as(Role.MODERATOR)
    queue = client_request.get("moderation.queue")
    assert "Une halle couverte pour les jours de pluie" in queue.text()
