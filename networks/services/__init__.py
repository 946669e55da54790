"""Being split by concept (issue 18): every public name stays importable from networks.services."""

from networks.services.imports import *  # noqa: F403
