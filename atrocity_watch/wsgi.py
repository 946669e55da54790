import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrocity_watch.settings")
application = get_wsgi_application()

# A web process gives each database statement a few seconds; see atrocity_watch/database.py.
from atrocity_watch.database import statement_timeout_apply  # noqa: E402 - needs the settings configured above

statement_timeout_apply(role="web")
