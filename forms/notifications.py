"""The notification settings form: email address, how emails come, their language."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

# A plain address: something@domain.tld, no spaces, no angle brackets.
EMAIL_RE = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


class NotificationSettingsForm(FlaskForm):
    """A user's email settings: an optional address, immediate / daily digest / none, and the emails' language."""

    email = StringField(_l("Email address"), validators=[
        Optional(), Length(max=254, message=_l("At most 254 characters.")),
        Regexp(EMAIL_RE, message=_l("Enter a valid email address, such as ten@example.vn."))])
    delivery = RadioField(_l("Emails"), choices=[
        SelectChoice("immediate", _l("Each notification as it comes")),
        SelectChoice("digest", _l("One daily digest")),
        SelectChoice("none", _l("No emails (notifications in the app only)"))],
        default="immediate")
    language = SelectField(_l("Language of the emails"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")],
                           default="vi")
