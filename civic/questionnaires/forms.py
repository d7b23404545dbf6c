from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField

from .. import labels
from ..forms import max_length, required, strip, strip_lines
from .models import HINT_MAX, QUESTION_MAX, FreeTextUse, QuestionKind
from .services import choice_lines

INTRODUCTION_MAX = 5_000
# The options of a choice question, typed one per line: room for a few dozen.
CHOICES_MAX = 5_000


class QuestionnaireForm(FlaskForm):
    # Required: residents answer better knowing what the consultation is for and what becomes of their answers.
    introduction = TextAreaField(_l("Introduction"), filters=[strip_lines],
                                 validators=[required(_l("Write the introduction: what the consultation is for.")),
                                             max_length(INTRODUCTION_MAX)],
                                 description=_l("What the consultation is for and what will be done with the "
                                                "answers. Leave an empty line between paragraphs."))
    free_text_use = RadioField(_l("What becomes of the free-text answers"), choices=labels.choices(FreeTextUse),
                               validators=[required(_l("Choose what becomes of the free-text answers."))],
                               description=_l("Shown to residents before they answer. It cannot be changed once the "
                                              "first answer is recorded."))

    def chosen_use(self):
        return FreeTextUse(self.free_text_use.data)


class QuestionForm(FlaskForm):
    kind = RadioField(_l("Kind of question"), choices=labels.choices(QuestionKind),
                      validators=[required(_l("Choose the kind of question."))])
    text = StringField(_l("Question"), filters=[strip],
                       validators=[required(_l("Enter the question.")), max_length(QUESTION_MAX)])
    hint = StringField(_l("Hint (optional)"), filters=[strip], validators=[max_length(HINT_MAX)],
                       description=_l("Shown under the question, to help residents answer."))
    required = BooleanField(_l("An answer is required"))
    choices = TextAreaField(_l("Answers to choose from"), filters=[strip_lines], validators=[max_length(CHOICES_MAX)],
                            description=_l("For a single or multiple choice: one answer per line, at least two. "
                                           "Leave empty for the other kinds."))

    def chosen_kind(self):
        return QuestionKind(self.kind.data)

    def choice_labels(self):
        return choice_lines(self.choices.data)
