"""Everything Civic holds about one person ("my data", GDPR articles 15 and 20).

Ballots are not in it: they carry no voter, so only the fact of having voted is
personal data. Actions entered at a counter on the person's behalf are, with where,
when and by which agent; so are those entered for a counter record later attached to
this account.
"""
from sqlalchemy import select

from ..extensions import db


def personal_data(user):
    from ..counters.services import actions_for_resident, merged_records
    from ..decisions.models import Decision, Participation
    from ..proposals.models import Comment, Proposal, Support

    proposals = db.session.execute(select(Proposal).where(Proposal.author_id == user.id)
                                   .order_by(Proposal.created_at)).scalars().all()
    comments = db.session.execute(select(Comment).where(Comment.author_id == user.id)
                                  .order_by(Comment.created_at)).scalars().all()
    supports = db.session.execute(select(Support, Proposal).join(Proposal, Proposal.id == Support.proposal_id)
                                  .where(Support.user_id == user.id).order_by(Support.created_at)).all()
    participations = db.session.execute(
        select(Participation, Decision).join(Decision, Decision.id == Participation.decision_id)
        .where(Participation.user_id == user.id).order_by(Participation.created_at)).all()
    from ..following.models import Follow
    from ..moderation.models import Report

    reports = db.session.execute(select(Report).where(Report.reporter_id == user.id)
                                 .order_by(Report.created_at)).scalars().all()
    follows = db.session.execute(select(Follow).where(Follow.user_id == user.id)
                                 .order_by(Follow.created_at)).scalars().all()
    actions = [a for person in [user, *merged_records(user)] for a in actions_for_resident(person)]
    actions.sort(key=lambda a: (a.created_at, a.id))
    return {"user": user, "proposals": proposals, "comments": comments, "supports": supports,
            "participations": participations, "actions": actions, "reports": reports, "follows": follows}


def as_json(data):
    """The same data as plain JSON-able values (the download)."""
    user = data["user"]

    def when(value):
        return value.isoformat() if value else None

    def where(record):
        return {"channel": record.channel.value, "counter": record.counter.name if record.counter else None}

    return {
        "account": {
            "display_name": user.display_name, "email": user.email, "full_name": user.full_name,
            "birth_date": when(user.birth_date), "phone": user.phone,
            "district": user.district.name if user.district else None, "district_since": when(user.district_since),
            "role": user.role.value, "created_at": when(user.created_at),
            "email_confirmed_at": when(user.email_confirmed_at),
        },
        "proposals": [{"id": p.id, "title": p.title, "body": p.body, "place": p.place, "state": p.state.value,
                       "moderation_reason": p.moderation_reason, "created_at": when(p.created_at), **where(p)} for p in data["proposals"]],
        "comments": [{"id": c.id, "proposal_id": c.proposal_id, "body": None if c.is_deleted else c.body,
                      "created_at": when(c.created_at), "deleted_at": when(c.deleted_at),
                      "hidden": c.is_hidden, "moderation_reason": c.moderation_reason, **where(c)}
                     for c in data["comments"]],
        "supports": [{"proposal_id": p.id, "proposal_title": p.title, "created_at": when(s.created_at), **where(s)}
                     for s, p in data["supports"]],
        "votes": [{"decision_id": d.id, "decision_title": d.title, "voted_at": when(v.created_at), **where(v)}
                  for v, d in data["participations"]],
        "reports": [{"target": r.target_type, "target_id": r.target_id, "reason": r.reason.value, "text": r.text,
                     "at": when(r.created_at)} for r in data["reports"]],
        "follows": [{"target": f.target_type, "target_id": f.target_id, "since": when(f.created_at)}
                    for f in data["follows"]],
        "notify_answers": user.notify_answers,
        "mail_language": user.language,
        "assisted_actions": [{"kind": a.kind.value, "at": when(a.created_at),
                              "counter": a.counter.name if a.counter else None,
                              "agent": a.agent.display_name if a.agent else None,
                              "object": a.object_type, "object_id": a.object_id} for a in data["actions"]],
    }
