from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from atrocity_watch.health import broker_status, cache_status, database_status


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Report database, broker and cache status as JSON; 503 when any is unreachable (the cache falls back to local
    memory meanwhile, but an operator must still hear of it)."""
    checks = {"database": database_status(), "broker": broker_status(), "cache": cache_status()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
