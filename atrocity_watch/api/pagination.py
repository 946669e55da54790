"""Page-number pagination that refuses unordered querysets and caps the page size."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class OrderedPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        """The page size asked for, refused (400) when it is not a whole number from 1 to the maximum; DRF would
        silently clamp or ignore it, so a client would never learn that it got fewer rows than it asked for."""
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}; got {raw!r}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        # Pages of an unordered queryset can repeat or skip rows between requests, so refuse to serve them.
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            raise ImproperlyConfigured(f"{type(view).__name__} paginates an unordered {queryset.model.__name__} list.")
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = f"Number of results per page (at most {self.max_page_size})."
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters
