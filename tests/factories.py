"""Factories of the suite: each makes a thing and commits it (inside the test's transaction, see
conftest.py), so that the requests that follow see it. Use them in a test that has the `ctx`
fixture (or one that depends on it: `client_request`, `login_as`)."""
import re
import secrets

from civic.access import Role
from civic.accounts.models import District
from civic.accounts.services import create_user
from civic.answers.models import Answer, AnswerStatus
from civic.counters.models import Counter
from civic.extensions import db
from civic.moderation.models import ModerationAction
from civic.proposals.models import Comment, Proposal, Support
from civic.targets import TargetType
from civic.themes.models import Theme

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_user(role=Role.RESIDENT, email=None, name=None, confirmed=True, password=PASSWORD):
    user = create_user(name or f"User {secrets.token_hex(3)}", email or f"user-{secrets.token_hex(4)}@example.org",
                       password, role=role, confirmed=confirmed)
    db.session.commit()
    return user


def make_theme(name=None, name_en=None, active=True):
    theme = Theme(name=name or f"Thème {secrets.token_hex(3)}", name_en=name_en, active=active)
    db.session.add(theme)
    db.session.commit()
    return theme


def make_proposal(author=None, theme=None, title="Des bancs place du marché", body="Pour se reposer.", **fields):
    proposal = Proposal(author=author or make_user(), theme=theme or make_theme(), title=title, body=body,
                        **fields)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def make_support(proposal, user=None):
    support = Support(proposal_id=proposal.id, user_id=(user or make_user()).id)
    db.session.add(support)
    db.session.commit()
    return support


def make_comment(proposal, author=None, body="Bonne idée.", parent=None):
    comment = Comment(proposal=proposal, author=author or make_user(), body=body,
                      parent_id=parent.id if parent else None)
    db.session.add(comment)
    db.session.commit()
    return comment


def login(client, user, password=PASSWORD):
    response = client.post_form("/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    # A browser follows the redirect and shows "You are logged in": the next page a test reads has no such notice.
    with client.session_transaction() as cookie:
        cookie.pop("_flashes", None)
    return response


# Open data (issue 14): what the datasets publish, made as the pages make it.

def make_answer(proposal, status=None, text="Nous étudions votre proposition.", author=None):
    answer = Answer(proposal_id=proposal.id, status=status or AnswerStatus.UNDER_STUDY, text=text,
                    author_id=(author or make_user(role=Role.ELECTED)).id, author_role=Role.ELECTED)
    db.session.add(answer)
    db.session.commit()
    return answer


def make_district(name=None):
    district = District(name=name or f"Quartier {secrets.token_hex(3)}")
    db.session.add(district)
    db.session.commit()
    return district


def make_counter(name=None, address="1 place de la Mairie", opening_hours="Lundi 9 h - 12 h", active=True):
    counter = Counter(name=name or f"Guichet {secrets.token_hex(3)}", address=address, opening_hours=opening_hours,
                      active=active)
    db.session.add(counter)
    db.session.commit()
    return counter


def make_moderation_action(target, kind, public_reason="", message_to_author=""):
    action = ModerationAction(target_type=TargetType.PROPOSAL if isinstance(target, Proposal) else TargetType.COMMENT,
                              target_id=target.id, kind=kind, public_reason=public_reason,
                              message_to_author=message_to_author)
    db.session.add(action)
    db.session.commit()
    return action
