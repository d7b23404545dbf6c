"""What a questionnaire's responses are to their respondent: in "my data", attached with a counter record,
emptied when the account is erased."""
import json
from datetime import date

from civic.accounts.erasure import erase_account
from civic.accounts.models import Role
from civic.counters import audit, residents, sessions
from civic.counters.attach import attach_contributions
from civic.counters.models import AssistedActionKind, IdentityCheck
from civic.extensions import db
from civic.moderation.models import Report, ReportReason
from civic.questionnaires import services
from civic.questionnaires.models import Answer, Response
from civic.targets import TargetType
from tests.counters.helpers import make_counter
from tests.factories import make_user
from tests.questionnaires.helpers import EVERY_KIND, form_for, make_consultation
from werkzeug.datastructures import MultiDict


def _answer(app, questionnaire, respondent, **choices):
    with app.test_request_context():
        services.answer_questionnaire(questionnaire, respondent, MultiDict(form_for(questionnaire, **choices)))
    db.session.commit()


def _responses():
    return db.session.execute(db.select(Response).order_by(Response.id)).scalars().all()


def test_attaching_keeps_one_response_the_accounts(app, ctx):
    """Answered at a counter as a record and online with the account: the account's response stays, the
    record's goes with its answers; a questionnaire answered only at the counter moves to the account."""
    both, only_at_the_counter = make_consultation(questions=EVERY_KIND), make_consultation(questions=EVERY_KIND)
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    record = residents.register_resident(agent, counter, full_name="Léon Blum", birth_date=date(1940, 1, 1))
    session = sessions.open_session(agent, counter, record, identity_check=IdentityCheck.DOCUMENT, consent=True)
    _answer(app, both, record, single=2)
    _answer(app, only_at_the_counter, record)
    action = audit.record(session, AssistedActionKind.QUESTIONNAIRE_ANSWERED, about=both)
    account = make_user()
    _answer(app, both, account, single=1)
    kept = attach_contributions(account, action.follow_up_code, date(1940, 1, 1))
    db.session.commit()
    assert kept == 0
    assert [(r.questionnaire_id, r.respondent_id) for r in _responses()] == [
        (only_at_the_counter.id, account.id), (both.id, account.id)]
    mine = db.session.execute(db.select(Answer).join(Response).where(Response.questionnaire_id == both.id,
                                                                     Answer.choice_id.is_not(None))).scalars().all()
    assert both.questions[0].choices[1].id in {a.choice_id for a in mine}
    assert both.questions[0].choices[2].id not in {a.choice_id for a in mine}


def test_erasing_the_account_keeps_the_answers_nobodys(app, ctx):
    questionnaire = make_consultation(questions=EVERY_KIND)
    resident = make_user()
    _answer(app, questionnaire, resident)
    with app.test_request_context():
        erase_account(resident, remove_contributions=False)
    db.session.commit()
    [response] = _responses()
    assert response.respondent_id is None and len(response.answers) == 6


def test_my_data_lists_the_questionnaires_answered_and_exports_the_answers(app, client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    resident = login_as()
    _answer(app, questionnaire, resident)
    page = client_request.get("accounts.my_data")
    assert ("Consultation sur le marché", client_request.url("questionnaires.answered",
                                                             questionnaire_id=questionnaire.id)) in page.links()
    exported = json.loads(client_request.client.get(client_request.url("accounts.my_data_json")).get_data())
    [row] = exported["questionnaires"]
    assert row["process_title"] == "Consultation sur le marché" and row["channel"] == "online"
    assert [a["answer"] for a in row["answers"]] == ["Mercredi", "Fruits", "Fleurs", 4, "Vivant", "Plus de bancs."]


def test_erasing_with_the_contributions_removes_the_free_texts_and_settles_their_reports(app, ctx):
    questionnaire = make_consultation(questions=EVERY_KIND)
    resident, reporter = make_user(), make_user()
    _answer(app, questionnaire, resident)
    text = db.session.execute(db.select(Answer).where(Answer.text.is_not(None))).scalars().first()
    report = Report(target_type=TargetType.ANSWER, target_id=text.id, reporter_id=reporter.id,
                    reason=ReportReason.SPAM, text="")
    db.session.add(report)
    db.session.commit()
    with app.test_request_context():
        erase_account(resident, remove_contributions=True)
    db.session.commit()
    [response] = _responses()
    assert response.respondent_id is None
    assert [a.text for a in response.answers if a.text is not None] == []
    assert len(response.answers) == 4  # the choices and the scale value stay counted
    db.session.refresh(report)
    assert report.resolved_at is not None


def test_the_erasure_form_says_the_free_texts_go_with_the_contributions(client_request, login_as):
    login_as()
    page = client_request.get("accounts.erase")
    assert ("textes libres écrits dans les questionnaires (les autres réponses restent comptées, anonymes)"
            in page.text())
