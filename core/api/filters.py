"""Filters shared by API FilterSets."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time converted to UTC: databases refuse offsets beyond ±15:59 that ISO 8601 allows."""

    def clean(self, value):
        cleaned = super().clean(value)
        if cleaned is None:
            return None
        try:
            return cleaned.astimezone(dt.UTC)
        except OverflowError as exc:
            raise forms.ValidationError("The date-time is out of range.", code="invalid") from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no, any case); anything else is refused, where Django's NullBooleanField would
    quietly ignore the filter."""

    TRUE = {"true", "1", "yes"}
    FALSE = {"false", "0", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        # The value goes in as a parameter: django-filter %-formats every message, so a "%" written into the text
        # itself would raise instead of being refused.
        raise forms.ValidationError("Give true or false; got %(value)r.", code="invalid", params={"value": value})


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter: 0.5 is refused, not rounded or matched as a decimal."""

    field_class = forms.IntegerField
