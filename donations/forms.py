import re
import time
import uuid

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from .addresses import is_public_domain, mailbox_key
from .funding import format_money as money
from .models import Gift, Sponsorship, SuggestedAmount

FORM_TOKEN_SALT = "donations.pledge-form"  # noqa: S105 - a namespace, not a secret
# A form left open longer than this is refused politely and offered again.
FORM_TOKEN_MAX_AGE = 24 * 60 * 60
OTHER = "other"


def new_form_token() -> str:
    """Return a signed token for one pledge form: its submission key and when it was shown."""
    return signing.dumps({"key": uuid.uuid4().hex, "at": time.time()}, salt=FORM_TOKEN_SALT)


def read_form_token(token: str) -> tuple[uuid.UUID, float] | None:
    """Return ``(submission key, seconds since the form was shown)``, or None if invalid."""
    try:
        data = signing.loads(token or "", salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
        return uuid.UUID(data["key"]), time.time() - float(data["at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def claim_form_token(key: uuid.UUID, email: str) -> bool:
    """Tie a pledge form's token to the first address sent with it; say if ``email`` is it.

    Without this, one form fetched once and kept would let a program send pledges for
    many addresses for a day without ever being timed again.
    """
    cache_key = f"donations:pledge-form:{key.hex}"
    mailbox = mailbox_key(email)
    return cache.add(cache_key, mailbox, FORM_TOKEN_MAX_AGE) or cache.get(cache_key) == mailbox


class ExplicitCheckboxInput(forms.CheckboxInput):
    """A checkbox that counts as ticked only when sent with a ticked box's value.

    Django's own counts every value but "false" as ticked, so "0", "off", "no" or "non"
    would give consent. A browser sends "on" for a ticked box without a value.
    """

    TICKED = frozenset({"on", "true", "1"})

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().lower() in self.TICKED


class DonorEmailField(forms.EmailField):
    """An email address a confirmation link can reach: on a named domain of the Internet.

    Django's validator accepts ``localhost`` and IP literals (``[127.0.0.1]``); those, and
    any domain without a dot, get one clear message instead of a generic one.
    """

    def clean(self, value):
        value = self.to_python(value)
        self.validate(value)
        if value and not is_public_domain(value):
            raise forms.ValidationError(
                _(
                    "Give an address on a public domain, such as name@example.org: "
                    "we cannot send the confirmation link to this one."
                ),
                code="private_domain",
            )
        self.run_validators(value)
        return value


class AmountField(forms.DecimalField):
    """Dollars as people write them: "1 000,50 $" in French, "$1,000.50" in English.

    Spaces and the dollar sign are ignored, and so are English thousands commas where
    they group digits by three; anything that is not a plain number ("1e3", "NaN") is not
    an amount.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).strip("$")
            grouping = re.escape(formats.get_format("THOUSAND_SEPARATOR"))
            decimal = re.escape(formats.get_format("DECIMAL_SEPARATOR"))
            if re.fullmatch(rf"\d{{1,3}}({grouping}\d{{3}})+({decimal}\d*)?", value):
                value = re.sub(grouping, "", value)
            if not re.fullmatch(r"[+-]?[\d.,]*", value):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class PledgeForm(forms.Form):
    """A donor's pledge to one project. ``clean()`` leaves the amount in ``cleaned_data``."""

    amount_choice = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect, required=False)
    # Declared for its place in the form; rebuilt in __init__ with the current limits.
    other_amount = AmountField(required=False)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Sponsorship.Frequency.choices,
        initial=Sponsorship.Frequency.ONCE,
        widget=forms.RadioSelect,
    )
    donor_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = DonorEmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send you a link to confirm your pledge."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    dedication_kind = forms.ChoiceField(
        label=_("Dedicate this gift"),
        choices=[("", _("No dedication")), *Sponsorship.Dedication.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    dedication_name = forms.CharField(
        label=_("Name of the person honoured or remembered"), max_length=150, required=False
    )
    show_name_publicly = forms.BooleanField(
        label=_("Show my name on the project page among its supporters"),
        required=False,
        widget=ExplicitCheckboxInput,
    )
    public_message = forms.CharField(
        label=_("A message for the project page"),
        max_length=500,
        required=False,
        help_text=_("Shown with your name only if you choose to show it; 500 characters."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my pledge is kept as it says"),
        error_messages={"required": _("We can only record your pledge with your consent.")},
        widget=ExplicitCheckboxInput,
    )
    news_opt_in = forms.BooleanField(
        label=_("Send me news of the projects by email (at most once a month)"),
        required=False,
        widget=ExplicitCheckboxInput,
    )
    # Never shown to people; a program filling every field gives itself away.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        low, high = settings.PLEDGE_MIN_AMOUNT, settings.PLEDGE_MAX_AMOUNT
        self.suggestions = [
            suggestion
            for suggestion in SuggestedAmount.objects.filter(project=project)
            if low <= suggestion.amount <= high
        ]
        self.fields["amount_choice"].choices = [
            (str(s.amount), f"{money(s.amount)} — {s.impact}") for s in self.suggestions
        ] + [(OTHER, _("Another amount"))]
        self.fields["other_amount"] = AmountField(
            label=_("Another amount (CAD)"),
            required=False,
            max_digits=10,
            decimal_places=2,
            min_value=low,
            max_value=high,
            localize=True,
            help_text=_("Between %(min)s and %(max)s, in Canadian dollars.")
            % {"min": money(low), "max": money(high)},
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())

    def choose(self, amount: str | None = None, frequency: str | None = None) -> None:
        """Start an unbound form with what the visitor picked on the project page.

        ``amount`` comes from a link (``?amount=25.00``): a suggested amount is ticked,
        any other amount within the limits fills "another amount"; anything else is ignored.
        """
        if frequency in Sponsorship.Frequency.values:
            self.initial["frequency"] = frequency
        if not amount:
            return
        for suggestion in self.suggestions:
            if str(suggestion.amount) == amount:
                self.initial["amount_choice"] = str(suggestion.amount)
                return
        try:
            value = self.fields["other_amount"].clean(amount)
        except forms.ValidationError:
            return
        if value is not None:
            self.initial["amount_choice"] = OTHER
            self.initial["other_amount"] = value

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean(self):
        data = super().clean()
        choice = data.get("amount_choice") or ""
        other = data.get("other_amount")
        other_given = bool((self.data.get(self.add_prefix("other_amount")) or "").strip())
        if choice and choice != OTHER:
            if other_given:
                self.add_error(
                    "other_amount",
                    _("Choose a suggested amount or type another amount, not both."),
                )
            else:
                data["amount"] = next(s.amount for s in self.suggestions if str(s.amount) == choice)
        elif other is not None:
            data["amount"] = other
        elif "other_amount" not in self.errors:
            field = "other_amount" if choice == OTHER else "amount_choice"
            message = (
                _("Type the amount you wish to give.")
                if choice == OTHER
                else _("Choose an amount.")
            )
            self.add_error(field, message)
        if data.get("dedication_kind") and not data.get("dedication_name", "").strip():
            self.add_error(
                "dedication_name", _("Give the name of the person honoured or remembered.")
            )
        if data.get("dedication_name", "").strip() and not data.get("dedication_kind"):
            self.add_error("dedication_kind", _("Say whether it is in honour or in memory."))
        return data

    def build_sponsorship(self, submission_key: uuid.UUID) -> Sponsorship:
        """Return the unsaved sponsorship this valid form describes."""
        data = self.cleaned_data
        return Sponsorship(
            idempotency_key=submission_key,
            project=self.project,
            donor_name=data["donor_name"].strip(),
            donor_email=data["email"],
            language=(translation.get_language() or settings.LANGUAGE_CODE).split("-")[0],
            amount=data["amount"],
            currency=settings.DEFAULT_CURRENCY,
            frequency=data["frequency"],
            dedication_kind=data.get("dedication_kind") or "",
            dedication_name=(data.get("dedication_name") or "").strip()
            if data.get("dedication_kind")
            else "",
            show_name_publicly=data.get("show_name_publicly", False),
            public_message=(data.get("public_message") or "").strip(),
            privacy_consent_at=timezone.now(),
            news_opt_in=data.get("news_opt_in", False),
        )


class GiftForm(forms.Form):
    """What the finance team says about money received for several sponsorships at once."""

    received_on = forms.DateField(
        label=_("Received on"),
        initial=timezone.localdate,
        # A date input takes only ISO dates, whatever the language (01/12/2026 shows empty).
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    method = forms.ChoiceField(label=_("Method"), choices=Gift.Method.choices)
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)
