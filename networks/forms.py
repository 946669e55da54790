from __future__ import annotations

from django import forms
from django.conf import settings

from indicators.models import Confidence, Country
from networks.models import Actor, ActorKind, RelationshipKind


class _Provenance(forms.Form):
    sources = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One source per line: a report, a document reference or an address.",
    )
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.MEDIUM)
    valid_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Valid from")
    valid_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Valid until")
    note = forms.CharField(required=False, label="Why this change", max_length=1000)

    def clean_sources(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["sources"].splitlines() if line.strip()]


class ActorForm(_Provenance):
    """A new actor or a new version of one."""

    name = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=ActorKind.choices, label="Type")
    countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.order_by("name"),
        to_field_name="iso3",
        help_text="The countries it concerns; at least one must belong to your desk.",
    )
    withdrawn = forms.BooleanField(required=False, label="Withdrawn (leaves the graph, stays in history)")
    field_order = ["name", "kind", "countries", "sources", "confidence", "valid_from", "valid_to", "withdrawn", "note"]


class RelationshipForm(_Provenance):
    """A relationship from one actor to another (or a sanction designation of the first)."""

    kind = forms.ChoiceField(choices=RelationshipKind.choices, label="Type")
    target = forms.ModelChoiceField(
        queryset=Actor.objects.none(),
        required=False,
        label="Other actor",
        help_text="Not needed for a sanction designation.",
    )
    label = forms.CharField(
        required=False, max_length=300, label="Role, purpose or programme", help_text="e.g. Brigade commander"
    )
    authority = forms.CharField(required=False, max_length=200, help_text="Sanctions only: who designated")
    program = forms.CharField(required=False, max_length=200, label="Programme", help_text="Sanctions only")
    authority_country = forms.ModelChoiceField(
        queryset=Country.objects.order_by("name"),
        to_field_name="iso3",
        required=False,
        label="Country of the designating authority",
        help_text="Sanctions only; our own jurisdiction marks the actor as sanctioned by us.",
    )
    withdrawn = forms.BooleanField(required=False, label="Withdrawn (leaves the graph, stays in history)")
    field_order = [
        "kind",
        "target",
        "label",
        "authority",
        "program",
        "authority_country",
        "sources",
        "confidence",
        "valid_from",
        "valid_to",
        "withdrawn",
        "note",
    ]

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["authority_country"].initial = settings.NETWORK_HOME_JURISDICTION

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != RelationshipKind.SANCTION and not cleaned.get("target"):
            self.add_error("target", "Choose the other actor of the relationship.")
        return cleaned


class FtmUploadForm(forms.Form):
    file = forms.FileField(
        help_text="FollowTheMoney JSON lines (one entity per line), as OpenSanctions and Aleph export."
    )
    default_country = forms.ModelChoiceField(
        queryset=Country.objects.order_by("name"),
        to_field_name="iso3",
        required=False,
        help_text="Actors whose entity names no country are attributed to this one.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.ASSESSMENT_UPLOAD_MAX_BYTES:
            raise forms.ValidationError("The file is too large; split it.")
        return upload


class LinkForm(forms.Form):
    target = forms.IntegerField(widget=forms.HiddenInput, required=False)
    choice = forms.TypedChoiceField(coerce=int, label="Choose")
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, choices, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = choices
        self.fields["choice"].label = label


class PathForm(forms.Form):
    to = forms.ModelChoiceField(queryset=Actor.objects.none(), label="Shortest chain of ties to")

    def __init__(self, *args, actors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = actors
