"""What the pages no longer show leaves the stored files within minutes, not at the next daily refresh: a
comment deleted by its author, hidden or held by moderation, a proposal hidden, an account erased. Supporting,
commenting and voting never mark the files out of date (the mark's row must not be one every participant writes).
The refresh runs alone after the other clock jobs: its failure undoes none of their work."""
import io
import zipfile

from sqlalchemy import select

from civic import jobs as clock, site_settings
from civic.access import Role
from civic.accounts.erasure import erase_account
from civic.decisions import services as decisions
from civic.extensions import db
from civic.jobs import run_jobs
from civic.moderation import services as moderation
from civic.moderation.models import ModerationKind, ReportReason
from civic.opendata import datasets, snapshots
from civic.opendata.staleness import STALE_SINCE
from civic.proposals import services as proposals
from civic.themes.models import Theme
from tests.decisions.helpers import make_decision
from tests.factories import make_comment, make_proposal, make_user

REFRESHED = "open datasets refreshed"


def _text(name):
    return b"".join(snapshots.file_chunks(snapshots.stored_file(name))).decode()


def _published():
    """Every file a re-user downloads: each dataset's CSV and JSON, and the ZIP's members."""
    texts = {name: _text(name) for d in datasets.datasets() for name in (f"{d.name}.csv", f"{d.name}.json")}
    with zipfile.ZipFile(io.BytesIO(b"".join(snapshots.file_chunks(snapshots.stored_file(snapshots.ZIP))))) as zip_:
        texts.update({f"zip:{name}": zip_.read(name).decode() for name in zip_.namelist()})
    return texts


def _found(words):
    return {(word, name) for name, text in _published().items() for word in words if word in text}


def test_what_is_withdrawn_from_the_pages_leaves_the_files_at_the_next_clock_run(app, ctx):
    moderator = make_user(role=Role.MODERATOR)
    proposal = make_proposal(body="Des bancs.")
    hidden_proposal = make_proposal(title="Une proposition retirée des pages", body="Texte bientôt caché.")
    deleted = make_comment(proposal, author=make_user(name="Alice Regrette"), body="Je retire ce que je dis.")
    hidden = make_comment(proposal, body="Un commentaire injurieux.")
    held = make_comment(proposal, body="Un commentaire signalé.")
    erased = make_user(name="Bob Efface")
    make_comment(proposal, author=erased, body="Mon avis reste.")
    assert run_jobs()[0][REFRESHED] == len(datasets.datasets())
    withdrawn = ["Alice Regrette", "Je retire ce que je dis.", "Un commentaire injurieux.", "Un commentaire signalé.",
                 "Une proposition retirée des pages", "Texte bientôt caché.", "Bob Efface"]
    assert {word for word, name in _found(withdrawn) if name == "zip:comments.csv"} >= set(withdrawn[:4] + ["Bob Efface"])

    with app.test_request_context():  # the journal's public reasons are written in the site's language
        erase_account(erased, remove_contributions=False)  # an UPDATE statement, not a flush of the account
        assert site_settings.get(STALE_SINCE, None) is not None  # alone, it is enough
        proposals.delete_comment(deleted)
        moderation.decide(moderator, hidden, ModerationKind.HIDE, reason="Propos injurieux.")
        moderation.decide(moderator, hidden_proposal, ModerationKind.HIDE, reason="Hors sujet.")
        for _ in range(moderation.report_threshold()):
            moderation.report(make_user(), held, ReportReason.INSULT)
        db.session.commit()
    assert held.held_by_reports and site_settings.get(STALE_SINCE, None) is not None

    assert run_jobs()[0][REFRESHED] == len(datasets.datasets())  # not a day later: at the next run
    assert _found(withdrawn) == set()
    assert "Mon avis reste." in _text("comments.csv")  # the erased account's comment stays, without its name
    assert run_jobs()[0][REFRESHED] == 0  # once refreshed, nothing more to do until the next withdrawal


def test_supporting_commenting_and_voting_never_mark_the_files_out_of_date(app, ctx):
    proposal, decision, resident = make_proposal(), make_decision(), make_user()
    assert run_jobs()[0][REFRESHED] == len(datasets.datasets())
    site_settings.remove(STALE_SINCE)
    with app.test_request_context():  # a comment is written in the site's language
        proposals.support_proposal(resident, proposal)
        proposals.add_comment(resident, proposal, "Je soutiens.")
        for voter in [resident] + [make_user() for _ in range(11)]:  # past ten, a ballot rewrites earlier ones
            decisions.cast_ballot(voter, decision, {"vote": decision.options[0].id})
        db.session.commit()
    assert site_settings.get(STALE_SINCE, None) is None
    assert run_jobs()[0][REFRESHED] == 0


def test_a_failing_refresh_undoes_no_other_job(app, ctx, monkeypatch, caplog):
    def add_a_theme():
        db.session.add(Theme(name="Ajouté par une autre tâche"))
        return 1

    def failing(_dataset, _now):
        raise RuntimeError("a serialiser failed")

    monkeypatch.setitem(clock._jobs, "another job", add_a_theme)
    monkeypatch.setattr(snapshots, "_write_dataset", failing)
    counts = run_jobs()[0]
    assert counts["another job"] == 1 and counts[REFRESHED] is None
    db.session.rollback()
    assert db.session.execute(select(Theme.name)).scalars().all() == ["Ajouté par une autre tâche"]
    assert snapshots.stored() == {}
    assert "a serialiser failed" in caplog.text
