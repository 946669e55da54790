"""Being split by concept (issue 18): every public name stays importable from networks.selectors."""

from networks.selectors.graph import *  # noqa: F403
