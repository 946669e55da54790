"""Being split by concept (issue 18): every public name stays importable from networks.ftm."""

from networks.ftm.reading import *  # noqa: F403
