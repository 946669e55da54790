"""Every HTML page requires a signed-in user; the API enforces its own authentication."""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponseNotAllowed, JsonResponse


class LoginRequiredForPagesMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for API paths, which answer 401/403 through DRF instead."""

    exempt_prefixes = ("/api/", "/static/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.exempt_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def trace_refused(get_response):
    """TRACE (and its IIS twin TRACK) echoes requests back and is never served: 405 on every path, JSON under /api/."""

    def middleware(request):
        if request.method in ("TRACE", "TRACK"):
            allowed = "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE"
            if request.path.startswith("/api/"):
                message = f"Method {request.method} is not allowed."
                body = {"error": {"status": 405, "code": "method_not_allowed", "message": message, "fields": {}}}
                response = JsonResponse(body, status=405)
            else:
                response = HttpResponseNotAllowed(allowed.split(", "))
            response["Allow"] = allowed
            return response
        return get_response(request)

    return middleware


def permissions_policy(get_response):
    """Adds the Permissions-Policy header from settings to every response that lacks one."""

    def middleware(request):
        response = get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def api_query_parameters_once(get_response):
    """An API query parameter given twice (page_size=5&page_size=500) is ambiguous: 400 naming it, not a guess."""

    def middleware(request):
        if request.path.startswith("/api/"):
            repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
            if repeated:
                message = f"Give each query parameter once; repeated: {', '.join(repeated)}."
                fields = {name: ["Given more than once."] for name in repeated}
                body = {"error": {"status": 400, "code": "invalid", "message": message, "fields": fields}}
                return JsonResponse(body, status=400)
        return get_response(request)

    return middleware
