"""What a proposal's page costs: the proposal and all its page shows of it (author, theme, district, counter,
process and its phases, official answer) come in one statement, so that neither the template nor the rules
load anything lazily; the forms and the rules' checks are made once, for those shown them."""
import re

from flask_babel import refresh
from flask_login import login_user
from flask_wtf import FlaskForm
from jinja2 import Template
from sqlalchemy import select

from civic.accounts.models import Role
from civic.answers.models import AnswerStatus
from civic.answers.services import answer
from civic.counters.models import Channel
from civic.db_types import utcnow
from civic.extensions import db
from civic.following.models import Follow
from civic.followup.models import ImplementationRecord, ImplementationStatus
from civic.moderation.models import Report, ReportReason
from civic.processes.models import PhaseKind
from civic.proposals.forms import CommentForm
from civic.proposals.models import Comment, Support
from civic.proposals.services import comment_threads, proposal_for_page
from civic.proposals.views import _render_detail
from civic.targets import TargetType
from tests.client import Page
from tests.factories import (login, make_answer, make_comment, make_counter, make_district, make_proposal, make_support,
                             make_user)
from tests.processes.helpers import make_process, mark_studied, propose_in
from tests.queries import recorded_page, tables


def _proposal_with_everything():
    process = make_process(PhaseKind.STUDY, title="Budget des quartiers")
    proposal = propose_in(process, title="Un jardin partagé", district=make_district("Les Tilleuls"),
                          channel=Channel.COUNTER, counter=make_counter("Mairie annexe du Bourg"),
                          author=make_user(name="Manon Petit"))
    mark_studied(proposal)
    make_answer(proposal, text="Nous l’étudions.")
    db.session.add(ImplementationRecord(title="Un jardin partagé", status=ImplementationStatus.TO_DO, progress=0,
                                        proposal_id=proposal.id))
    db.session.commit()
    return proposal


def _page(app, client, proposal):
    return recorded_page(app, client, f"/proposals/{proposal.id}")


def test_the_page_loads_its_proposal_with_all_it_shows_in_one_statement(app, client, ctx):
    proposal = _proposal_with_everything()
    page, statements = _page(app, client, proposal)
    # The proposal (and whether it has threads, whether its answer was changed: no, no statement for them), its
    # follow-up records.
    assert tables(statements) == ["proposal", "implementation_record"], str(statements)
    meta = page.select(".proposal .meta")[0].get_text()
    assert "Manon Petit" in meta and "Mairie annexe du Bourg" in meta
    assert page.select("#process a")[0].get_text() == "Budget des quartiers"
    assert "étape en cours\u202f: étude technique" in page.select("#process p")[0].get_text()
    assert page.select("#answer p")[-1].get_text() == "Nous l’étudions."
    summary = page.select(".summary")[0].get_text()
    assert "Les Tilleuls" in summary
    # Nobody logged in is shown a form: no comment nor follow form is built.
    assert page.select("form") == []


def test_a_resident_reads_the_same_proposal_with_their_own_marks_in_its_statement(app, client, ctx):
    """Whether they support it, follow it and reported it come with the proposal."""
    proposal = _proposal_with_everything()
    resident = make_user()
    make_support(proposal, resident)
    db.session.add_all([Follow(user_id=resident.id, target_type=TargetType.PROPOSAL, target_id=proposal.id),
                        Report(reporter_id=resident.id, target_type=TargetType.PROPOSAL, target_id=proposal.id,
                               reason=ReportReason.SPAM)])
    db.session.commit()
    login(client, resident)
    page, statements = _page(app, client, proposal)
    # Their log-in, then as anonymously.
    assert tables(statements) == ["user_account", "proposal", "implementation_record"], str(statements)
    assert page.select("#comment-form-title")[0].get_text() == "Ajouter un commentaire"
    assert page.texts("#support button") == ["Retirer mon soutien"]
    assert "Ne plus suivre" in page.texts(".proposal button")
    assert "Vous avez signalé ce contenu" in page.texts(".proposal .actions span")


def test_another_resident_has_none_of_those_marks(client, login_as, ctx):
    proposal = _proposal_with_everything()
    make_support(proposal)
    login_as()
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert page.texts("#support button") == ["Soutenir cette proposition"]
    assert page.texts(".proposal .actions a")[0] == "Signaler cette proposition"


def test_its_author_is_asked_once_whether_it_can_still_be_edited(app, client, ctx):
    """A proposal without support nor comment: the edit rule asks the tables once, not once per link."""
    author = make_user()
    proposal = make_proposal(author=author)
    login(client, author)
    page, statements = _page(app, client, proposal)
    assert [a.get_text() for a in page.select(".proposal .actions a")][:2] == ["Modifier ma proposition",
                                                                               "Retirer ma proposition"]
    # (The proposal's own statement asks whether it has threads, for the page.)
    assert sum("EXISTS" in s and "FROM comment" in s and not s.startswith("SELECT proposal.id")
               for s in statements) == 1, str(statements)


def test_a_proposals_comments_run_no_file_of_macros_of_their_own(client_request, monkeypatch):
    """A comment is a macro of a file the page imports anyway: a file included per comment ran its own imports
    again, four files of macros executed for each comment. The page runs as many however many comments it shows,
    and shows each of them and its replies."""
    modules = []
    make_module = Template.make_module
    monkeypatch.setattr(Template, "make_module",
                        lambda self, *a, **k: modules.append(self.name) or make_module(self, *a, **k))
    proposal = make_proposal()
    first = make_comment(proposal, body="Le premier.")

    def files_of_macros():
        modules.clear()
        return client_request.get("proposals.detail", proposal_id=proposal.id), len(modules)

    _page, with_one_comment = files_of_macros()
    for n in range(3):
        make_comment(proposal, body=f"Une réponse {n}.", parent=first)
    make_comment(proposal, body="Le second.")
    page, with_five_comments = files_of_macros()
    assert with_one_comment == with_five_comments
    assert page.texts("article.comment > div:not(.actions)") == [
        "Le premier.", "Une réponse 0.", "Une réponse 1.", "Une réponse 2.", "Le second."]


def test_a_resident_is_built_no_form_and_the_written_tokens_are_accepted(client, login_as, ctx, monkeypatch):
    """The follow and support buttons and the blank comment form are written in the template with the CSRF token: a
    WTForms form cost its construction and its rendering on every resident's page. Their token is accepted, and the
    comment form posts a comment."""
    proposal = make_proposal()
    resident = login_as()
    built = []
    init = FlaskForm.__init__
    monkeypatch.setattr(FlaskForm, "__init__", lambda self, *a, **k: built.append(type(self).__name__)
                        or init(self, *a, **k))
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert built == []
    support = page.select("#support form")[0]
    token = support.select("input[name=csrf_token]")[0]["value"]
    response = client.post(support["action"], data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.execute(select(Support).filter_by(proposal_id=proposal.id, user_id=resident.id)).scalar()
    form = page.select("#comments form")[0]
    data = {field["name"]: field.get("value", "") for field in form.select("input")}
    response = client.post(form["action"], data={**data, "body": "Bonne idée."})
    assert response.status_code == 302
    assert db.session.execute(select(Comment).filter_by(proposal_id=proposal.id, author_id=resident.id)).scalar()


def test_the_blank_comment_form_is_the_one_wtforms_writes(app, client, login_as, ctx):
    """The blank comment form written in the template is, byte for byte, what the components' field() writes of a
    CommentForm (the page shows that one when a posted comment is refused), in both languages: a change of the
    form's label, limit or validators shows here."""
    proposal = make_proposal()
    resident = login_as()
    token = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+')
    for lang in ("fr", "en"):
        written = client.get(f"/proposals/{proposal.id}", headers={"Accept-Language": lang}).get_data(as_text=True)
        with app.test_request_context(f"/proposals/{proposal.id}", headers={"Accept-Language": lang}):
            refresh()  # the test's app context is the client's: its language was kept on g
            login_user(resident)
            shown = proposal_for_page(proposal.id, resident, resident)
            built, _status = _render_detail(shown, comment_form=CommentForm(formdata=None))
        form = re.compile(r'<form method="post" action="/proposals/\d+/comments".*?</form>', re.S)
        assert token.sub(r"\1", form.search(written).group()) == token.sub(r"\1", form.search(built).group())
        assert ("Your comment" if lang == "en" else "Votre commentaire") in form.search(written).group()


def test_a_proposal_without_follow_up_reads_no_record(app, client, ctx):
    """Whether a follow-up record names the proposal comes with it: most proposals have none, and their page then
    runs no statement for them; one that has a record shows it."""
    proposal = make_proposal()
    page, statements = _page(app, client, proposal)
    assert tables(statements) == ["proposal"], str(statements)
    assert "Ce qu’il en est advenu" not in page.texts("main h2")
    db.session.add(ImplementationRecord(title="Des bancs", status=ImplementationStatus.TO_DO, progress=0,
                                        proposal_id=proposal.id))
    db.session.commit()
    page, statements = _page(app, client, proposal)
    assert tables(statements) == ["proposal", "implementation_record"], str(statements)
    assert "Ce qu’il en est advenu" in page.texts("main h2")
    assert page.texts("main ul a") == ["Suivi de « Des bancs »"]


def test_a_proposal_without_thread_reads_none_and_a_deleted_one_keeps_its_place(app, client, ctx):
    """Whether the proposal has a thread comes with it: without one, its page runs no statement for comments; a
    thread whose comment was deleted still has its place on the page (its replies hang on it)."""
    author = make_user()
    proposal = make_proposal()
    page, statements = _page(app, client, proposal)
    assert tables(statements) == ["proposal"], str(statements)
    assert page.select("article.comment") == [] and page.select("#comments-title")[0].get_text() == "0 commentaire"
    with app.test_request_context():
        for typed in (3, 0, 10**9):  # a page typed by number is the one keyset_page would give, empty
            skipped = comment_threads(proposal, page=typed, any_thread=False)
            read = comment_threads(proposal, page=typed)
            assert (skipped.page, skipped.items, skipped.more) == (read.page, read.items, read.more)
    comment = make_comment(proposal, body="Bonne idée.", author=author)
    comment.deleted_at = comment.created_at
    db.session.commit()
    page, statements = _page(app, client, proposal)
    assert tables(statements) == ["proposal", "comment", "comment", "comment", "comment"], str(statements)
    assert page.texts("article.comment") == ["Commentaire supprimé par son auteur."]


def test_an_answers_earlier_versions_are_read_once_it_was_changed(app, client, ctx):
    """Whether the answer was changed comes with the proposal: a first answer runs no statement for earlier
    versions; a changed one shows them."""
    proposal = make_proposal()
    official = make_user(role=Role.ELECTED)
    with app.test_request_context():
        answer(official, proposal, AnswerStatus.UNDER_STUDY, "Nous l’étudions.")
    db.session.commit()
    page, statements = _page(app, client, proposal)
    assert tables(statements) == ["proposal"], str(statements)
    assert page.select("#answer p")[-1].get_text() == "Nous l’étudions." and not page.select("#answer h3")
    with app.test_request_context():
        answer(official, proposal, AnswerStatus.REJECTED, "Le terrain n’est pas disponible.")
    db.session.commit()
    page, statements = _page(app, client, proposal)
    assert tables(statements) == ["proposal", "proposal_answer_edit"], str(statements)
    assert page.texts("#answer h3") == ["Versions précédentes"] and len(page.select("#answer .corrections li")) == 1


def test_the_author_read_for_their_name_only_still_says_when_they_erased_their_account(app, client, ctx):
    """The statement reads the author's name and whether the account was erased, not the rest of the account: an
    erased author is named as such, without a statement more."""
    proposal = _proposal_with_everything()
    proposal.author.erased_at = utcnow()
    db.session.commit()
    page, statements = _page(app, client, proposal)
    assert tables(statements) == ["proposal", "implementation_record"], str(statements)
    meta = page.select(".proposal .meta")[0].get_text()
    assert "Participant·e supprimé·e" in meta and "Manon Petit" not in meta
