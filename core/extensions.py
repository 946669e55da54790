"""Extension points: named slots that a lower app's pages expose and higher apps fill, so no app imports one above it.

A lower app (indicators) renders whatever its slots hold; a higher app (alerts, forecasts, networks, ...) registers
entries in its AppConfig.ready(). The lower app never names the higher one, and a slot nobody fills renders nothing.
Entries are kept in the order given by `order` (then registration order). NetBox's PluginTemplateExtension is the
model: plain objects with a template and a context callable, no magic.

    # forecasts/apps.py
    def ready(self):
        from core import extensions
        from forecasts.selectors import forecast_panel_context

        extensions.country_detail_panels.register(
            extensions.Panel(name="forecast", template="forecasts/_country_panel.html",
                             context=forecast_panel_context, order=20)
        )
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    """An ordered list of entries registered under one name; registering the same name twice replaces the entry."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._entries: dict[str, tuple[int, int, T]] = {}
        self._counter = 0

    def register(self, entry: T) -> T:
        key = getattr(entry, "name", None) or repr(entry)
        self._counter += 1
        previous = self._entries.get(key)
        self._entries[key] = (getattr(entry, "order", 100), previous[1] if previous else self._counter, entry)
        return entry

    def __iter__(self) -> Iterator[T]:
        return iter([entry for _, _, entry in sorted(self._entries.values(), key=lambda item: item[:2])])

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, name: str) -> T | None:
        found = self._entries.get(name)
        return found[2] if found else None

    def __repr__(self) -> str:
        return f"<Slot {self.name}: {', '.join(self._entries)}>"


@dataclass(frozen=True)
class Panel:
    """A card on a page: `context(request, obj)` returns the template's context, or None to show nothing."""

    name: str
    template: str
    context: Callable[[Any, Any], Mapping | None]
    order: int = 100


@dataclass(frozen=True)
class PageAction:
    """A button in a page's head: `url(request, obj)` returns its address, or None when this user may not use it."""

    name: str
    label: str
    url: Callable[[Any, Any], str | None]
    css_class: str = "button"
    order: int = 100


@dataclass(frozen=True)
class OverviewColumn:
    """A numeric column of the overview's ranking table and CSV export; its values come from a row annotation.

    `sort()`, when given, returns a query expression over the ranked CountryScore rows (typically a Subquery on
    OuterRef("country_id")) whose order is the column's: the heading then sorts the ranking (`?sort=<name>`), in the
    database like the other columns. `map_label`, when given, offers the column as a layer of the overview's map,
    coloured on a continuous scale, its values followed by `map_suffix` in the hover.
    """

    name: str
    label: str
    title: str = ""
    order: int = 100
    sort: Callable[[], Any] | None = None
    map_label: str = ""
    map_suffix: str = ""


@dataclass(frozen=True)
class RowAnnotation:
    """`values(country_ids)` returns {country_id: {column name: value}} for the overview rows, in a fixed number of
    queries; a country it leaves out gets `default` for each of `columns`."""

    name: str
    columns: tuple[str, ...]
    values: Callable[[Iterable[int]], Mapping[int, Mapping[str, Any]]]
    default: Any = 0
    order: int = 100


@dataclass(frozen=True)
class RowFlag:
    """`flags(country_ids)` returns {country_id: label} for the countries to mark (one query for all rows); the
    overview shows the label beside the country's name and outlines the country on the map."""

    name: str
    flags: Callable[[Iterable[int]], Mapping[int, str]]
    css_class: str = "row-flag"
    order: int = 100


def row_flags(country_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Every registered flag for these countries: {country_id: [(label, css_class), ...]}."""
    country_ids = list(country_ids)
    found: dict[int, list[tuple[str, str]]] = {}
    for flag in overview_row_flags:
        for country_id, label in flag.flags(country_ids).items():
            found.setdefault(country_id, []).append((label, flag.css_class))
    return found


@dataclass(frozen=True)
class TimelineFilter:
    """`restrict(viewer, country)` returns a Q on core.AuditEvent that hides the entries this viewer may not read;
    `allows(viewer, country, event)`, when given, is the same rule for one loaded event (with its escalation), which
    lets a page filter a timeline kept for everyone (core.selectors.country_timeline)."""

    name: str
    restrict: Callable[[Any, Any], Any]
    order: int = 100
    allows: Callable[[Any, Any, Any], bool] | None = None


@dataclass(frozen=True)
class TimelineLink:
    """`url(event)` returns the page an audit event links to (e.g. its escalation), or None."""

    name: str
    url: Callable[[Any], str | None]
    order: int = 100


@dataclass(frozen=True)
class TimelineEntry:
    """One entry of a country's timeline that is not an audit event (e.g. a forecast published)."""

    occurred_at: Any
    kind: str
    label: str
    summary: str
    url: str | None = None
    actor: Any = None
    reason: str = ""

    def get_kind_display(self) -> str:
        return self.label


@dataclass(frozen=True)
class TimelineSource:
    """`entries(country, viewer, limit)` returns up to `limit` TimelineEntry objects, newest first."""

    name: str
    entries: Callable[[Any, Any, int], Iterable[TimelineEntry]]
    order: int = 100


@dataclass(frozen=True)
class RowDetail:
    """More to show in each row of a list page: `values(request, objects)` returns {object pk: context} for the rows
    that have something to show, in a fixed number of queries; each is rendered with `template` inside its row."""

    name: str
    template: str
    values: Callable[[Any, list], Mapping[int, Mapping]]
    order: int = 100


def row_details(slot: Slot[RowDetail], request, objects: list) -> dict[int, list[dict]]:
    """Every registered detail for these objects: {pk: [{'template': ..., 'context': {...}}, ...]}."""
    found: dict[int, list[dict]] = {}
    for detail in slot:
        for pk, context in detail.values(request, objects).items():
            found.setdefault(pk, []).append({"name": detail.name, "template": detail.template, "context": context})
    return found


@dataclass(frozen=True)
class HeaderItem:
    """A link in the site's main navigation; `visible(request)` and `active(request)` decide show and highlight."""

    name: str
    label: str
    url_name: str
    visible: Callable[[Any], bool] = lambda request: True
    active: Callable[[Any], bool] = lambda request: False
    order: int = 100
    # A number shown beside the label (e.g. unread notifications), computed per request and never cached;
    # None or 0 shows none. `badge_label` words it for screen readers ("{n} unread").
    badge: Callable[[Any], int | None] = lambda request: None
    badge_label: str = "{n}"


@dataclass(frozen=True)
class ImportOutcome:
    """What an extension importer reports back: rows read and written, a one-line message and a JSON summary."""

    rows_read: int
    created: int
    message: str
    skipped: int = 0
    summary: dict = field(default_factory=dict)
    # The rows skipped with skip-invalid, each {"row", "column", "message", "value"}, listed on the import page.
    errors: list = field(default_factory=list)


@dataclass(frozen=True)
class ImporterSource:
    """A dataset source that writes its own tables, run through the same import machinery as the assessment
    importers (one import row with status and counts, checksum de-duplication, the queue, the upload page and
    `manage.py import_data <name> <path>`).

    `run(raw=<bytes>, dataset_import=<DatasetImport>, progress=<callable(done, total, stage) | None>)` writes
    everything in one transaction and returns an ImportOutcome, or raises django's ValidationError (nothing
    written) whose messages the import page lists.
    """

    name: str
    label: str
    run: Callable[..., ImportOutcome]
    description: str = ""
    analyst_may_upload: bool = False
    # Whether the source attributes records that name no country to a default country, which the upload page and
    # `import_data --default-country` then ask for and keep in the import's summary as "default_country".
    takes_default_country: bool = False
    order: int = 100


country_detail_panels: Slot[Panel] = Slot(
    "country_detail_panels",
    "Cards on the country page (indicators:country_detail), after the scores; context(request, country).",
)
country_detail_banners: Slot[Panel] = Slot(
    "country_detail_banners",
    "Banners at the top of the country page, above the score (e.g. a declaration of imminent risk); "
    "context(request, country).",
)
overview_row_flags: Slot[RowFlag] = Slot(
    "overview_row_flags",
    "Marks beside a country's name in the overview ranking and on its map; flags(country_ids) -> {id: label}.",
)
country_detail_actions: Slot[PageAction] = Slot(
    "country_detail_actions",
    "Buttons in the country page's head beside 'Record assessments'; url(request, country).",
)
country_timeline_filters: Slot[TimelineFilter] = Slot(
    "country_timeline_filters",
    "Restrictions on the audit events the country page's timeline shows a viewer; restrict(viewer, country) -> Q.",
)
country_timeline_links: Slot[TimelineLink] = Slot(
    "country_timeline_links",
    "Where a timeline entry's summary links to; the first non-None url(event) wins.",
)
country_timeline_entries: Slot[TimelineSource] = Slot(
    "country_timeline_entries",
    "Extra entries of the country page's timeline besides the audit trail; entries(country, viewer, limit).",
)
overview_columns: Slot[OverviewColumn] = Slot(
    "overview_columns",
    "Extra numeric columns of the overview ranking and its CSV export (CSV header = column name).",
)
overview_row_annotations: Slot[RowAnnotation] = Slot(
    "overview_row_annotations",
    "Per-country values of the overview columns, computed once per page for all rows.",
)
methodology_panels: Slot[Panel] = Slot(
    "methodology_panels",
    "Cards on the methodology page after the dataset mappings; context(request, None).",
)
escalation_detail_panels: Slot[Panel] = Slot(
    "escalation_detail_panels",
    "Cards on an escalation's page (alerts:escalation_detail); context(request, escalation).",
)
action_tracker_details: Slot[RowDetail] = Slot(
    "action_tracker_details",
    "More in each response action's row of the actions tracker (e.g. a sanctions action's target actors); "
    "values(request, actions) -> {action pk: context}.",
)
header_items: Slot[HeaderItem] = Slot(
    "header_items",
    "Links in the site's main navigation, after the built-in ones.",
)
overview_since_visit_panels: Slot[Panel] = Slot(
    "overview_since_visit_panels",
    "Columns of the overview's 'Since your last visit' card; context(request, previous_visit_datetime).",
)
importer_sources: Slot[ImporterSource] = Slot(
    "importer_sources",
    "Dataset sources that write their own tables (e.g. forecasts' ewp_basedata, networks' ftm), dispatched by "
    "`manage.py import_data` and the upload page besides the assessment importers.",
)


def panels_render_context(slot: Slot[Panel], request, obj) -> list[dict]:
    """The panels of a slot that have something to show, each as {'template': ..., 'context': {...}}."""
    shown = []
    for panel in slot:
        context = panel.context(request, obj)
        if context is not None:
            shown.append({"name": panel.name, "template": panel.template, "context": context})
    return shown


def page_actions(slot: Slot[PageAction], request, obj) -> list[dict]:
    """The buttons of a slot this user may use, each as {'label', 'url', 'css_class'}."""
    actions = []
    for action in slot:
        url = action.url(request, obj)
        if url:
            actions.append({"name": action.name, "label": action.label, "url": url, "css_class": action.css_class})
    return actions
