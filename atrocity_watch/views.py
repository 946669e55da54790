from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from atrocity_watch.health import broker_status, database_status


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Report database and broker status as JSON; 503 when either is unreachable."""
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
