"""Officials read the form as residents will before the phase opens; an open questionnaire without questions says
so, to residents on the process's page and to officials on the setup page; a process whose questionnaire phase
ended without a questionnaire says it had none."""
from civic.accounts.models import Role
from civic.processes.models import PhaseKind
from tests.processes.helpers import make_process
from tests.questionnaires.helpers import EVERY_KIND, consultation_days, make_consultation, questions_of

NO_QUESTION = "Ce questionnaire n’a encore aucune question."
WARNING = "ce questionnaire n’a pas de question"


def test_officials_preview_the_residents_form_without_sending_it(client_request, login_as):
    questionnaire = make_consultation(current=None, questions=EVERY_KIND)
    login_as(Role.ELECTED)
    setup = client_request.get("questionnaires.setup", questionnaire_id=questionnaire.id)
    preview_url = client_request.url("questionnaires.preview", questionnaire_id=questionnaire.id)
    assert preview_url in [href for _text, href in setup.links()]
    page = client_request.get("questionnaires.preview", questionnaire_id=questionnaire.id)
    one, *_ = questions_of(questionnaire)
    assert page.text(f"#q{one.id}-legend") == "Quel jour préférez-vous ? (réponse obligatoire)"
    assert not page.has("main form") and not page.has("main button")
    assert page.h1.startswith("Aperçu du questionnaire")
    client_request.post("accounts.logout")
    login_as()
    client_request.get("questionnaires.preview", questionnaire_id=questionnaire.id, _expected_status=403)


def test_an_open_questionnaire_without_questions_says_so(client_request, login_as):
    questionnaire = make_consultation()
    login_as()
    page = client_request.get("processes.detail", process_id=questionnaire.process_id)
    assert NO_QUESTION in page.text("#questionnaire")
    assert "Répondre au questionnaire" not in page.text("#questionnaire")


def test_the_setup_page_warns_when_the_phase_opens_soon_without_questions(client_request, login_as):
    login_as(Role.ELECTED)
    for current in (PhaseKind.QUESTIONNAIRE, None):  # under way, or starting in 3 days
        empty = make_consultation(current=current)
        page = client_request.get("questionnaires.setup", questionnaire_id=empty.id)
        assert WARNING in page.text(".notice-error")
    ready = make_consultation(current=None, questions=EVERY_KIND)
    assert not client_request.get("questionnaires.setup", questionnaire_id=ready.id).has(".notice-error")


def test_a_process_whose_questionnaire_phase_ended_without_one_says_it_had_none(client_request, login_as):
    official = login_as(Role.ELECTED)
    process = make_process(by=official, budget=None, phases=consultation_days(PhaseKind.RESULTS))
    client_request.post("accounts.logout")
    page = client_request.get("processes.detail", process_id=process.id)
    assert "Ce processus n’a pas eu de questionnaire." in page.text("#questionnaire")
    assert "en préparation" not in page.text("#questionnaire")
