"""Template context every page needs from the indicators app: whether it shows demonstration data only."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from indicators.selectors import real_data_present


def demonstration_data(request):
    """`demonstration_data` is true while no real dataset has been imported: base.html then shows a banner."""
    return {"demonstration_data": SimpleLazyObject(lambda: not real_data_present())}
