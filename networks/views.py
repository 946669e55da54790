"""Network pages: a country's network, actor profiles and their edits, FtM upload and exports, workflow links.

Views stay thin: they check roles through atrocity_watch.roles, read through networks.selectors and write through
networks.services, showing a service's refusal next to the form.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alerts.models import Escalation, ResponseAction
from core.roles import Role, can_edit_network, can_link_actors, can_view_escalation, role_required
from indicators.models import Country, DatasetImport
from networks import ftm, selectors, services
from networks.forms import ActorForm, FtmUploadForm, LinkForm, PathForm, RelationshipForm
from networks.models import Actor, ActorKind, AnalysisRun, Relationship, RelationshipKind

ALL_ROLES = tuple(Role)


def _country_or_404(iso3: str) -> Country:
    try:
        return Country.objects.select_related("desk").get(iso3=iso3.upper())
    except Country.DoesNotExist as exc:
        raise Http404(f"No country with ISO-3 code {iso3!r}.") from exc


def _actor_or_404(pk: int) -> Actor:
    try:
        return Actor.objects.prefetch_related("countries__desk").get(pk=pk)
    except Actor.DoesNotExist as exc:
        raise Http404(f"No actor #{pk}.") from exc


def _error_text(exc: ValidationError) -> list[str]:
    return exc.messages


def _date_param(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _with_actors(items: list[dict], actors: dict) -> list[dict]:
    return [{**item, "actor": actors.get(item["id"])} for item in items if actors.get(item["id"]) is not None]


@role_required(*ALL_ROLES)
def network_country(request, iso3: str):
    """The country's network: graph, filters, ranked tables and the analysis run behind them."""
    country = _country_or_404(iso3)
    run = services.analysis_run_request(country=country, user=request.user)
    results = run.results if run.status == AnalysisRun.Status.SUCCEEDED else {}
    wanted = set()
    for key in ("degree", "betweenness", "brokers", "unsanctioned_central", "exposure"):
        wanted |= {item["id"] for item in results.get(key, [])}
    for community in results.get("communities", []):
        wanted |= set(community["leading"])
    actors = Actor.objects.in_bulk(list(wanted))
    metrics = results.get("metrics", {})
    size = selectors.graph_size(country=country, version=run.graph_version)
    context = {
        "country": country,
        "run": run,
        "size": size,
        "may_edit": can_edit_network(request.user, [country]),
        "central": [
            {**item, "degree": metrics.get(str(item["id"]), [0])[0]}
            for item in _with_actors(results.get("betweenness", []), actors)
        ],
        "brokers": _with_actors(results.get("brokers", []), actors),
        "unsanctioned": _with_actors(results.get("unsanctioned_central", []), actors),
        "exposure": _with_actors(results.get("exposure", []), actors),
        "communities": [
            {**community, "actors": [actors[a] for a in community["leading"] if a in actors]}
            for community in results.get("communities", [])
        ],
        "results": results,
        "actor_kinds": ActorKind.choices,
        "relationship_kinds": [(value, label) for value, label in RelationshipKind.choices if value != "sanction"],
        "home": settings.NETWORK_HOME_JURISDICTION,
    }
    return render(request, "networks/country_network.html", context)


@role_required(*ALL_ROLES)
def network_analysis_status(request, iso3: str, pk: int):
    """The state of one analysis run of the country's network, which the page polls while the worker computes it."""
    country = _country_or_404(iso3)
    run = get_object_or_404(
        AnalysisRun.objects.only("pk", "status", "finished_at", "country_id"), pk=pk, country=country
    )
    finished = run.status in (AnalysisRun.Status.SUCCEEDED, AnalysisRun.Status.FAILED)
    body = {"id": run.pk, "status": run.status, "finished": finished}
    return JsonResponse(body, headers={"Cache-Control": "no-store"})


def _download(lines, filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORTS = {
    "ftm": (selectors.export_ftm_lines, "network.ftm.json", "application/x-ndjson"),
    "nodes": (selectors.export_nodes_csv, "network-nodes.csv", "text/csv; charset=utf-8"),
    "edges": (selectors.export_edges_csv, "network-edges.csv", "text/csv; charset=utf-8"),
}


@role_required(*ALL_ROLES)
def network_export(request, kind: str, iso3: str | None = None):
    """A country's network (or the whole graph) as FtM JSON lines, or as CSV nodes or edges."""
    country = _country_or_404(iso3) if iso3 else None
    if kind not in EXPORTS:
        raise Http404(f"No export {kind!r}; choose ftm, nodes or edges.")
    build, filename, content_type = EXPORTS[kind]
    prefix = f"{country.iso3.lower()}-" if country else "all-"
    return _download(build(country=country), prefix + filename, content_type)


@role_required(*ALL_ROLES)
def actor_detail(request, pk: int):
    """An actor's profile, relationships, sources, timeline, position in the network, escalations and actions."""
    actor = _actor_or_404(pk)
    countries = list(actor.countries.all())
    may_edit = can_edit_network(request.user, countries)
    may_link = any(can_link_actors(request.user, country) for country in countries)
    relationships = selectors.actor_relationships(actor=actor)
    on = _date_param(request.GET.get("on"))
    chain = selectors.command_chain(actor=actor, on=on)
    path_form = None
    path = None
    if countries:
        candidates = (
            Actor.objects.filter(countries__in=countries, withdrawn=False)
            .exclude(pk=actor.pk)
            .distinct()
            .order_by("name")
        )
        path_form = PathForm(request.GET if "to" in request.GET else None, actors=candidates)
        if path_form.is_bound and path_form.is_valid():
            path = selectors.shortest_path(source=actor, target=path_form.cleaned_data["to"])
    escalations = selectors.escalations_linkable(actor=actor, user=request.user) if may_link else []
    actions = selectors.sanctions_actions_linkable(actor=actor) if may_link else []
    context = {
        "actor": actor,
        "countries": countries,
        "may_edit": may_edit,
        "may_link": may_link,
        "relationships": relationships,
        "sanctions": [rel for rel in relationships if rel.kind == RelationshipKind.SANCTION],
        "ties": [rel for rel in relationships if rel.kind != RelationshipKind.SANCTION],
        "timeline": selectors.actor_timeline(actor=actor),
        "chain": chain,
        "on": on,
        "path_form": path_form,
        "path": path,
        "path_asked": path_form is not None and path_form.is_bound,
        "linked_escalations": selectors.actor_escalations(actor=actor, user=request.user),
        "linked_actions": selectors.actor_sanction_targets(actor=actor),
        "escalation_form": LinkForm(
            choices=[(e.pk, f"#{e.pk} {e.country.name}: {e.summary[:60]}") for e in escalations],
            label="Escalation",
            prefix="escalation",
        )
        if escalations
        else None,
        "action_form": LinkForm(
            choices=[(a.pk, f"{a.get_tool_display()} ({a.country.name}, due {a.due_on:%d %b %Y})") for a in actions],
            label="Targeted-sanctions action",
            prefix="action",
        )
        if actions
        else None,
        "position": selectors.actor_position(actor=actor),
        "ftm_entity": actor.properties,
    }
    return render(request, "networks/actor_detail.html", context)


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def actor_create(request, iso3: str):
    country = _country_or_404(iso3)
    if not can_edit_network(request.user, [country]):
        raise PermissionDenied(f"Only analysts of the desk for {country.name} add actors to its network.")
    form = ActorForm(request.POST or None, initial={"countries": [country.iso3]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actor = services.actor_record(user=request.user, **_actor_arguments(form))
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"{actor.name} was added to the network.")
                return redirect("networks:actor_detail", pk=actor.pk)
        status = 400
    return render(request, "networks/actor_form.html", {"form": form, "country": country}, status=status)


def _actor_arguments(form: ActorForm) -> dict:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "name": data["name"],
        "country_codes": [country.iso3 for country in data["countries"]],
        "sources": data["sources"],
        "confidence": data["confidence"],
        "valid_from": data["valid_from"],
        "valid_to": data["valid_to"],
        "withdrawn": data["withdrawn"],
        "note": data["note"],
    }


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def actor_edit(request, pk: int):
    actor = _actor_or_404(pk)
    if not can_edit_network(request.user, list(actor.countries.all())):
        raise PermissionDenied("Only analysts of a desk owning one of the actor's countries edit it.")
    initial = {
        "name": actor.name,
        "kind": actor.kind,
        "countries": [country.iso3 for country in actor.countries.all()],
        "sources": "\n".join(actor.sources),
        "confidence": actor.confidence,
        "valid_from": actor.valid_from,
        "valid_to": actor.valid_to,
        "withdrawn": actor.withdrawn,
    }
    form = ActorForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.actor_record(user=request.user, actor=actor, **_actor_arguments(form))
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"A new version of {actor.name} was recorded.")
                return redirect("networks:actor_detail", pk=actor.pk)
        status = 400
    return render(request, "networks/actor_form.html", {"form": form, "actor": actor}, status=status)


def _relationship_arguments(form: RelationshipForm) -> dict:
    data = form.cleaned_data
    extra = None
    if data["kind"] == RelationshipKind.SANCTION:
        country = data.get("authority_country")
        code = ftm.iso3_to_ftm_country(country.iso3) if country else None
        extra = {
            "authority": [data["authority"]] if data["authority"] else [],
            "program": [data["program"]] if data["program"] else [],
            "country": [code] if code else [],
        }
    return {
        "kind": data["kind"],
        "target": data.get("target"),
        "label": data["label"],
        "sources": data["sources"],
        "confidence": data["confidence"],
        "valid_from": data["valid_from"],
        "valid_to": data["valid_to"],
        "withdrawn": data["withdrawn"],
        "note": data["note"],
        "extra_properties": extra,
    }


def _targets_for(actor: Actor):
    return Actor.objects.filter(countries__in=actor.countries.all()).exclude(pk=actor.pk).distinct().order_by("name")


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def relationship_create(request, pk: int):
    actor = _actor_or_404(pk)
    if not can_edit_network(request.user, list(actor.countries.all())):
        raise PermissionDenied("Only analysts of a desk owning one of the actor's countries add its relationships.")
    form = RelationshipForm(request.POST or None, targets=_targets_for(actor))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.relationship_record(user=request.user, source=actor, **_relationship_arguments(form))
            except (ValidationError, PermissionDenied) as exc:
                _form_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, "The relationship was recorded.")
                return redirect("networks:actor_detail", pk=actor.pk)
        status = 400
    return render(request, "networks/relationship_form.html", {"form": form, "actor": actor}, status=status)


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def relationship_edit(request, pk: int):
    relationship = get_object_or_404(Relationship.objects.select_related("source", "target"), pk=pk)
    if not can_edit_network(request.user, list(relationship.countries.select_related("desk"))):
        raise PermissionDenied("Only analysts of a desk owning one of the relationship's countries edit it.")
    properties = relationship.properties
    initial = {
        "kind": relationship.kind,
        "target": relationship.target_id,
        "label": relationship.label,
        "sources": "\n".join(relationship.sources),
        "confidence": relationship.confidence,
        "valid_from": relationship.valid_from,
        "valid_to": relationship.valid_to,
        "withdrawn": relationship.withdrawn,
        "authority": (properties.get("authority") or [""])[0],
        "program": (properties.get("program") or [""])[0],
    }
    form = RelationshipForm(request.POST or None, initial=initial, targets=_targets_for(relationship.source))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.relationship_record(
                    user=request.user,
                    relationship=relationship,
                    source=relationship.source,
                    **_relationship_arguments(form),
                )
            except (ValidationError, PermissionDenied) as exc:
                _form_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, "A new version of the relationship was recorded.")
                return redirect("networks:actor_detail", pk=relationship.source_id)
        status = 400
    context = {"form": form, "actor": relationship.source, "relationship": relationship}
    return render(request, "networks/relationship_form.html", context, status=status)


def _escalation_or_404(request, escalation_id: str | int) -> Escalation:
    """A case this user may read; any other (another desk's, a draft that is not theirs) is not given away."""
    escalation_id = str(escalation_id)
    escalation = (
        Escalation.objects.select_related("country").filter(pk=escalation_id if escalation_id.isdigit() else 0).first()
    )
    if escalation is None or not can_view_escalation(
        request.user, country=escalation.country, created_by_id=escalation.created_by_id, state=escalation.state
    ):
        raise Http404("No such escalation.")
    return escalation


@require_POST
@role_required(*ALL_ROLES)
def actor_link_escalation(request, pk: int):
    actor = _actor_or_404(pk)
    escalation = _escalation_or_404(request, request.POST.get("escalation-choice", ""))
    services.escalation_actor_link(
        user=request.user, escalation=escalation, actor=actor, note=request.POST.get("escalation-note", "")
    )
    messages.success(request, f"{actor.name} is named in escalation #{escalation.pk}.")
    return redirect("networks:actor_detail", pk=actor.pk)


@require_POST
@role_required(*ALL_ROLES)
def actor_link_action(request, pk: int):
    actor = _actor_or_404(pk)
    action_id = request.POST.get("action-choice", "")
    action = ResponseAction.objects.select_related("country").filter(pk=action_id if action_id.isdigit() else 0).first()
    if action is None:
        raise Http404("No such response action.")
    try:
        services.sanction_target_add(
            user=request.user, action=action, actor=actor, note=request.POST.get("action-note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{actor.name} is named as a target of the sanctions action.")
    return redirect("networks:actor_detail", pk=actor.pk)


@require_POST
@role_required(*ALL_ROLES)
def escalation_actor_remove(request, pk: int, actor_pk: int):
    escalation = _escalation_or_404(request, pk)
    actor = _actor_or_404(actor_pk)
    services.escalation_actor_unlink(user=request.user, escalation=escalation, actor=actor)
    messages.success(request, f"{actor.name} is no longer named in escalation #{escalation.pk}.")
    return redirect("networks:actor_detail", pk=actor.pk)


@require_POST
@role_required(*ALL_ROLES)
def action_target_remove(request, pk: int, actor_pk: int):
    action = get_object_or_404(ResponseAction.objects.select_related("country"), pk=pk)
    actor = _actor_or_404(actor_pk)
    services.sanction_target_remove(user=request.user, action=action, actor=actor)
    messages.success(request, f"{actor.name} is no longer a target of the sanctions action.")
    return redirect("networks:actor_detail", pk=actor.pk)


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def ftm_upload(request):
    form = FtmUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            country = form.cleaned_data.get("default_country")
            try:
                dataset_import, queued = services.ftm_import_enqueue(
                    path_or_file=form.cleaned_data["file"],
                    started_by=request.user,
                    default_country=country.iso3 if country else "",
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                if queued:
                    messages.success(request, "The file is queued for import; this page shows the outcome.")
                else:
                    messages.info(request, "This file was already imported; nothing new was created.")
                return redirect("networks:import_detail", pk=dataset_import.pk)
        status = 400
    return render(request, "networks/import_upload.html", {"form": form}, status=status)


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def ftm_import_detail(request, pk: int):
    dataset_import = get_object_or_404(DatasetImport, pk=pk, source=services.FTM_SOURCE)
    summary = dataset_import.summary or {}
    default = summary.get("default_country")
    context = {
        "item": dataset_import,
        "summary": summary,
        "default_country": Country.objects.filter(iso3=default).first() if default else None,
        "updated": summary.get("actors_updated", 0) + summary.get("relationships_updated", 0),
        "in_progress": dataset_import.status in (DatasetImport.Status.QUEUED, DatasetImport.Status.RUNNING),
    }
    return render(request, "networks/import_detail.html", context)
