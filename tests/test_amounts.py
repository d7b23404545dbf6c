"""Amounts and percentages as people type them, read the same way by every form (civic.forms), with one maximum."""
from flask_wtf import FlaskForm
from wtforms import StringField

from civic.decisions.forms import DecisionForm
from civic.followup.forms import RecordForm
from civic.forms import MAX_AMOUNT, amount_typed, percent_typed, whole_euros, whole_number
from civic.processes.forms import ProcessForm, StudyForm


class _Amount(FlaskForm):
    class Meta:
        csrf = False

    amount = StringField(filters=[amount_typed], validators=[whole_euros])


def test_an_amount_is_read_with_its_spaces_and_its_sign(app):
    assert [amount_typed(v) for v in ("12 500 €", "12\u00a0500", "12\u202f500€", None)] == ["12500"] * 3 + [None]
    assert percent_typed("40 %") == "40" and amount_typed("40 %") == "40%"
    with app.test_request_context(data={"amount": "1 000 000 000 €"}, method="POST"):
        form = _Amount()
        assert form.validate() and whole_number(form.amount) == MAX_AMOUNT
    with app.test_request_context(data={"amount": "1 000 000 001"}, method="POST"):
        form = _Amount()
        assert not form.validate() and form.amount.errors == [
            "Saisissez un nombre entier d’euros entre 1 et 1\u202f000\u202f000\u202f000."]


def test_every_amount_field_reads_amounts_so(app):
    """A budget, a cost, an estimate, an actual cost: one filter, one maximum."""
    fields = [(DecisionForm, "budget"), (DecisionForm, "voter_cost_limit"), (ProcessForm, "budget"),
              (StudyForm, "estimated_cost"), (RecordForm, "actual_cost")]
    with app.test_request_context():
        for form_class, name in fields:
            field = getattr(form_class(meta={"csrf": False}), name)
            assert amount_typed in field.filters, (form_class, name)
            field.data = str(MAX_AMOUNT + 1)
            assert not field.validate(form_class(meta={"csrf": False})), (form_class, name)
            field.data = str(MAX_AMOUNT)
            assert field.validate(form_class(meta={"csrf": False})), (form_class, name)


def test_thousands_of_digits_are_refused_like_any_amount_too_large(app):
    """int() refuses past 4,300 digits (Python's guard): the field says the amount is too large, never a 500."""
    with app.test_request_context(data={"amount": "9" * 5000}, method="POST"):
        form = _Amount()
        assert not form.validate() and form.amount.errors == [
            "Saisissez un nombre entier d’euros entre 1 et 1\u202f000\u202f000\u202f000."]
