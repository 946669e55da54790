"""CSV output for list endpoints (`?format=csv`): one row per result, nested objects flattened to dotted columns."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

from core.spreadsheet import spreadsheet_safe


def _flatten(value, prefix: str, row: dict) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), row)
    elif isinstance(value, list):
        # Lists of scalars join into one cell; lists of objects would explode the column set, so they are JSON-ish.
        row[prefix] = "; ".join(str(item) for item in value if not isinstance(item, dict | list))
    else:
        row[prefix] = "" if value is None else value


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    render_style = "text"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "error" in data and len(data) == 1:
            rows = [data["error"]]
        elif isinstance(data, dict) and isinstance(data.get("results"), list):
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        flat_rows: list[dict] = []
        columns: dict[str, None] = {}
        for item in rows:
            flat: dict = {}
            _flatten(item, "", flat)
            flat_rows.append(flat)
            columns.update(dict.fromkeys(flat))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        for flat in flat_rows:
            writer.writerow({key: spreadsheet_safe(value) for key, value in flat.items()})
        return buffer.getvalue().encode(self.charset)


class CsvListMixin:
    """Adds CSV to a viewset's list action only; detail and write actions stay JSON."""

    def get_renderers(self):
        renderers = super().get_renderers()
        # No action (a method the route does not serve) keeps ?format=csv negotiable, so the answer is the 405 it
        # should be rather than a 404 for an unknown format.
        if getattr(self, "action", None) in ("list", None):
            renderers.append(CsvRenderer())
        return renderers
