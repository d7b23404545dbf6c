from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField, ValidationError

from ..forms import max_length, required, strip
from ..routing import parse_id
from .models import BODY_MAX, COMMENT_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip],
                        validators=[required(_l("Enter a title.")), max_length(TITLE_MAX)],
                        description=_l("At most %(max)d characters. Say what you propose in a few words.", max=TITLE_MAX))
    body = TextAreaField(_l("Your proposal"), filters=[strip],
                         validators=[required(_l("Describe your proposal.")), max_length(BODY_MAX)],
                         description=_l("What, where, for whom, why. Leave an empty line between paragraphs."))
    theme = SelectField(_l("Theme"), coerce=parse_id, validate_choice=False,
                        validators=[required(_l("Choose a theme from the list."))])
    place = StringField(_l("Place (optional)"), filters=[strip], validators=[max_length(PLACE_MAX)],
                        description=_l("A neighbourhood, a street, an address."))
    # Offered while the collectivité has districts (set_districts removes it otherwise).
    district = SelectField(_l("District (optional)"), coerce=parse_id, validate_choice=False,
                           description=_l("The district your proposal concerns, if it concerns one."))

    def set_themes(self, themes, locale):
        self.theme.choices = [SelectChoice("", _l("Choose a theme"))] + [
            SelectChoice(t.id, t.label(locale)) for t in themes
        ]

    def set_districts(self, districts):
        if not districts:
            del self.district
            return
        self.district.choices = [SelectChoice("", _l("The whole commune"))] + [
            SelectChoice(d.id, d.name) for d in districts]

    def validate_district(self, field):
        if field.raw_data and field.raw_data[0] and field.data is None:  # not a number: not from the list
            raise ValidationError(_l("Choose a district from the list."))

    @property
    def district_id(self):
        return self.district.data if "district" in self else None


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why do you withdraw this proposal?"), filters=[strip],
                           validators=[required(_l("Give a reason: it will be shown on the proposal.")),
                                       max_length(REASON_MAX)],
                           description=_l("The reason is public. Supports and comments stay visible."))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), filters=[strip],
                         validators=[required(_l("Write your comment.")), max_length(COMMENT_MAX)])
    parent_id = HiddenField()


class ButtonForm(FlaskForm):
    """A POST button: only the CSRF token travels."""
