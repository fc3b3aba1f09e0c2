"""The SME's forms: the enquiry (public, no account) and a reply on the private page.

Forms validate input only (STYLE "Shape"); the views hand the cleaned data to
`catalogue.enquiries.services`. Every text field has a maximum length matching the model,
so nothing oversized reaches the services or the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.enquiries.services import MAX_MESSAGE_LENGTH, EnquiryRequest, Requester
from catalogue.models import Enquiry, Facility

MIN_MESSAGE_LENGTH = 20
# The honeypot: people never see or fill it (hidden by enquiries.css, aria-hidden, out of
# the tab order); a bot that fills every input gives itself away.
HONEYPOT_FIELD = "website"

# ISO 3166-1 alpha-2 (Debian iso-codes), short names; Kosovo as "XK" like the EU's own
# lists. The EU and EEA come first: the portal's regions and most of its SMEs are there.
EU_EEA_COUNTRIES: tuple[tuple[str, Any], ...] = (
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("HR", _("Croatia")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("GR", _("Greece")),
    ("HU", _("Hungary")),
    ("IS", _("Iceland")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LV", _("Latvia")),
    ("LI", _("Liechtenstein")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SK", _("Slovakia")),
    ("SI", _("Slovenia")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
)
OTHER_COUNTRIES: tuple[tuple[str, Any], ...] = (
    ("AF", _("Afghanistan")),
    ("AL", _("Albania")),
    ("DZ", _("Algeria")),
    ("AS", _("American Samoa")),
    ("AD", _("Andorra")),
    ("AO", _("Angola")),
    ("AI", _("Anguilla")),
    ("AQ", _("Antarctica")),
    ("AG", _("Antigua and Barbuda")),
    ("AR", _("Argentina")),
    ("AM", _("Armenia")),
    ("AW", _("Aruba")),
    ("AU", _("Australia")),
    ("AZ", _("Azerbaijan")),
    ("BS", _("Bahamas")),
    ("BH", _("Bahrain")),
    ("BD", _("Bangladesh")),
    ("BB", _("Barbados")),
    ("BY", _("Belarus")),
    ("BZ", _("Belize")),
    ("BJ", _("Benin")),
    ("BM", _("Bermuda")),
    ("BT", _("Bhutan")),
    ("BO", _("Bolivia")),
    ("BQ", _("Bonaire, Sint Eustatius and Saba")),
    ("BA", _("Bosnia and Herzegovina")),
    ("BW", _("Botswana")),
    ("BV", _("Bouvet Island")),
    ("BR", _("Brazil")),
    ("IO", _("British Indian Ocean Territory")),
    ("VG", _("British Virgin Islands")),
    ("BN", _("Brunei Darussalam")),
    ("BF", _("Burkina Faso")),
    ("BI", _("Burundi")),
    ("CV", _("Cabo Verde")),
    ("KH", _("Cambodia")),
    ("CM", _("Cameroon")),
    ("CA", _("Canada")),
    ("KY", _("Cayman Islands")),
    ("CF", _("Central African Republic")),
    ("TD", _("Chad")),
    ("CL", _("Chile")),
    ("CN", _("China")),
    ("CX", _("Christmas Island")),
    ("CC", _("Cocos (Keeling) Islands")),
    ("CO", _("Colombia")),
    ("KM", _("Comoros")),
    ("CG", _("Congo")),
    ("CD", _("Congo, Democratic Republic of the")),
    ("CK", _("Cook Islands")),
    ("CR", _("Costa Rica")),
    ("CU", _("Cuba")),
    ("CW", _("Curaçao")),
    ("CI", _("Côte d'Ivoire")),
    ("DJ", _("Djibouti")),
    ("DM", _("Dominica")),
    ("DO", _("Dominican Republic")),
    ("EC", _("Ecuador")),
    ("EG", _("Egypt")),
    ("SV", _("El Salvador")),
    ("GQ", _("Equatorial Guinea")),
    ("ER", _("Eritrea")),
    ("SZ", _("Eswatini")),
    ("ET", _("Ethiopia")),
    ("FK", _("Falkland Islands (Malvinas)")),
    ("FO", _("Faroe Islands")),
    ("FJ", _("Fiji")),
    ("GF", _("French Guiana")),
    ("PF", _("French Polynesia")),
    ("TF", _("French Southern Territories")),
    ("GA", _("Gabon")),
    ("GM", _("Gambia")),
    ("GE", _("Georgia")),
    ("GH", _("Ghana")),
    ("GI", _("Gibraltar")),
    ("GL", _("Greenland")),
    ("GD", _("Grenada")),
    ("GP", _("Guadeloupe")),
    ("GU", _("Guam")),
    ("GT", _("Guatemala")),
    ("GG", _("Guernsey")),
    ("GN", _("Guinea")),
    ("GW", _("Guinea-Bissau")),
    ("GY", _("Guyana")),
    ("HT", _("Haiti")),
    ("HM", _("Heard Island and McDonald Islands")),
    ("VA", _("Holy See (Vatican City)")),
    ("HN", _("Honduras")),
    ("HK", _("Hong Kong")),
    ("IN", _("India")),
    ("ID", _("Indonesia")),
    ("IR", _("Iran")),
    ("IQ", _("Iraq")),
    ("IM", _("Isle of Man")),
    ("IL", _("Israel")),
    ("JM", _("Jamaica")),
    ("JP", _("Japan")),
    ("JE", _("Jersey")),
    ("JO", _("Jordan")),
    ("KZ", _("Kazakhstan")),
    ("KE", _("Kenya")),
    ("KI", _("Kiribati")),
    ("XK", _("Kosovo")),
    ("KW", _("Kuwait")),
    ("KG", _("Kyrgyzstan")),
    ("LA", _("Laos")),
    ("LB", _("Lebanon")),
    ("LS", _("Lesotho")),
    ("LR", _("Liberia")),
    ("LY", _("Libya")),
    ("MO", _("Macao")),
    ("MG", _("Madagascar")),
    ("MW", _("Malawi")),
    ("MY", _("Malaysia")),
    ("MV", _("Maldives")),
    ("ML", _("Mali")),
    ("MH", _("Marshall Islands")),
    ("MQ", _("Martinique")),
    ("MR", _("Mauritania")),
    ("MU", _("Mauritius")),
    ("YT", _("Mayotte")),
    ("MX", _("Mexico")),
    ("FM", _("Micronesia")),
    ("MD", _("Moldova")),
    ("MC", _("Monaco")),
    ("MN", _("Mongolia")),
    ("ME", _("Montenegro")),
    ("MS", _("Montserrat")),
    ("MA", _("Morocco")),
    ("MZ", _("Mozambique")),
    ("MM", _("Myanmar")),
    ("NA", _("Namibia")),
    ("NR", _("Nauru")),
    ("NP", _("Nepal")),
    ("NC", _("New Caledonia")),
    ("NZ", _("New Zealand")),
    ("NI", _("Nicaragua")),
    ("NE", _("Niger")),
    ("NG", _("Nigeria")),
    ("NU", _("Niue")),
    ("NF", _("Norfolk Island")),
    ("KP", _("North Korea")),
    ("MK", _("North Macedonia")),
    ("MP", _("Northern Mariana Islands")),
    ("OM", _("Oman")),
    ("PK", _("Pakistan")),
    ("PW", _("Palau")),
    ("PS", _("Palestine")),
    ("PA", _("Panama")),
    ("PG", _("Papua New Guinea")),
    ("PY", _("Paraguay")),
    ("PE", _("Peru")),
    ("PH", _("Philippines")),
    ("PN", _("Pitcairn")),
    ("PR", _("Puerto Rico")),
    ("QA", _("Qatar")),
    ("RU", _("Russian Federation")),
    ("RW", _("Rwanda")),
    ("RE", _("Réunion")),
    ("BL", _("Saint Barthélemy")),
    ("SH", _("Saint Helena, Ascension and Tristan da Cunha")),
    ("KN", _("Saint Kitts and Nevis")),
    ("LC", _("Saint Lucia")),
    ("MF", _("Saint Martin (French part)")),
    ("PM", _("Saint Pierre and Miquelon")),
    ("VC", _("Saint Vincent and the Grenadines")),
    ("WS", _("Samoa")),
    ("SM", _("San Marino")),
    ("ST", _("Sao Tome and Principe")),
    ("SA", _("Saudi Arabia")),
    ("SN", _("Senegal")),
    ("RS", _("Serbia")),
    ("SC", _("Seychelles")),
    ("SL", _("Sierra Leone")),
    ("SG", _("Singapore")),
    ("SX", _("Sint Maarten (Dutch part)")),
    ("SB", _("Solomon Islands")),
    ("SO", _("Somalia")),
    ("ZA", _("South Africa")),
    ("GS", _("South Georgia and the South Sandwich Islands")),
    ("KR", _("South Korea")),
    ("SS", _("South Sudan")),
    ("LK", _("Sri Lanka")),
    ("SD", _("Sudan")),
    ("SR", _("Suriname")),
    ("SJ", _("Svalbard and Jan Mayen")),
    ("CH", _("Switzerland")),
    ("SY", _("Syria")),
    ("TW", _("Taiwan")),
    ("TJ", _("Tajikistan")),
    ("TZ", _("Tanzania")),
    ("TH", _("Thailand")),
    ("TL", _("Timor-Leste")),
    ("TG", _("Togo")),
    ("TK", _("Tokelau")),
    ("TO", _("Tonga")),
    ("TT", _("Trinidad and Tobago")),
    ("TN", _("Tunisia")),
    ("TM", _("Turkmenistan")),
    ("TC", _("Turks and Caicos Islands")),
    ("TV", _("Tuvalu")),
    ("TR", _("Türkiye")),
    ("VI", _("U.S. Virgin Islands")),
    ("UG", _("Uganda")),
    ("UA", _("Ukraine")),
    ("AE", _("United Arab Emirates")),
    ("GB", _("United Kingdom")),
    ("US", _("United States")),
    ("UM", _("United States Minor Outlying Islands")),
    ("UY", _("Uruguay")),
    ("UZ", _("Uzbekistan")),
    ("VU", _("Vanuatu")),
    ("VE", _("Venezuela")),
    ("VN", _("Vietnam")),
    ("WF", _("Wallis and Futuna")),
    ("EH", _("Western Sahara")),
    ("YE", _("Yemen")),
    ("ZM", _("Zambia")),
    ("ZW", _("Zimbabwe")),
    ("AX", _("Åland Islands")),
)
COUNTRY_NAMES: dict[str, Any] = dict(EU_EEA_COUNTRIES + OTHER_COUNTRIES)
COUNTRY_CHOICES: list[tuple[Any, Any]] = [
    ("", _("Choose a country")),
    (_("European Union and EEA"), list(EU_EEA_COUNTRIES)),
    (_("Other countries"), list(OTHER_COUNTRIES)),
]


def consent_wording() -> str:
    """What the SME agrees to, in the visitor's language; stored with the enquiry as given."""
    return str(
        _(
            "I agree that InnoInfra passes my enquiry, my name, email address and organisation "
            "to the facilities I ask, and keeps them for up to %(months)d months after the last "
            "message so that I can follow the answers. I can delete them earlier from my "
            "enquiry's private page."
        )
        % {"months": settings.ENQUIRY_RETENTION_MONTHS}
    )


class EnquiryForm(forms.Form):
    """An SME's enquiry to one or several published facilities.

    `facilities` are the published facilities the page offers (resolved by the view from
    the query string or the posted slugs); only they can be chosen. With one facility the
    choice is a hidden input; with several, ticked checkboxes the SME may untick.
    """

    facilities = forms.MultipleChoiceField(
        label=_("Facilities to ask"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one facility."),
            "invalid_choice": _("%(value)s is not open for enquiries."),
        },
    )
    name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send the link to follow your enquiry here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=Enquiry.OrganisationType.choices,
        widget=forms.RadioSelect,
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES)
    type = forms.ChoiceField(
        label=_("What do you need?"), choices=Enquiry.Type.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Your message"),
        min_length=MIN_MESSAGE_LENGTH,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What you want to do or test, with which materials or samples, and any deadline. "
            "Between %(min)d and %(max)d characters. Do not send confidential details yet."
        )
        % {"min": MIN_MESSAGE_LENGTH, "max": MAX_MESSAGE_LENGTH},
    )
    wished_start = forms.DateField(
        label=_("Wished start"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. As a date, for example 2030-04-15."),
    )
    budget_band = forms.ChoiceField(
        label=_("Budget"),
        choices=Enquiry.BudgetBand.choices,
        initial=Enquiry.BudgetBand.UNKNOWN,
    )
    consent = forms.BooleanField(label="", required=True)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, facilities: Sequence[Facility] = (), **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "enquiry-%s")  # unique beside the facility page's own ids
        super().__init__(*args, **kwargs)
        self.facility_objects = {f.slug: f for f in facilities}
        field = cast(forms.MultipleChoiceField, self.fields["facilities"])
        field.choices = [(f.slug, f"{f.name} ({f.region.name})") for f in facilities]
        if len(facilities) == 1:
            field.widget = forms.MultipleHiddenInput()
        if not self.is_bound:
            self.initial.setdefault("facilities", [f.slug for f in facilities])
        self.fields["consent"].label = consent_wording()

    @property
    def honeypot_filled(self) -> bool:
        """True when the hidden field came back filled (read before validation)."""
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    def clean_facilities(self) -> list[str]:
        slugs: list[str] = self.cleaned_data["facilities"]
        if len(slugs) > settings.ENQUIRY_MAX_FACILITIES:
            raise forms.ValidationError(
                _("Ask at most %(n)d facilities at once."), params={"n": settings.ENQUIRY_MAX_FACILITIES}
            )
        return slugs

    def clean_wished_start(self) -> Any:
        value = self.cleaned_data["wished_start"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return value

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip()

    # --- What the services take --------------------------------------------------------

    def chosen_facilities(self) -> list[Facility]:
        return [self.facility_objects[slug] for slug in self.cleaned_data["facilities"]]

    def requester(self) -> Requester:
        data = self.cleaned_data
        return Requester(
            name=data["name"],
            email=data["email"],
            organisation=data["organisation"],
            organisation_type=data["organisation_type"],
            country=data["country"],
        )

    def enquiry_request(self) -> EnquiryRequest:
        data = self.cleaned_data
        return EnquiryRequest(
            type=data["type"],
            message=data["message"],
            wished_start=data["wished_start"],
            budget_band=data["budget_band"],
        )


class RequesterReplyForm(forms.Form):
    """The SME writes back to one facility from the private page."""

    thread = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message first.")},
    )

    def __init__(self, *args: Any, thread_id: int | None = None, **kwargs: Any) -> None:
        # One form per thread on the page: distinct ids keep every label unique.
        if thread_id is not None:
            kwargs.setdefault("auto_id", f"reply-{thread_id}-%s")
            kwargs.setdefault("initial", {"thread": thread_id})
        super().__init__(*args, **kwargs)
