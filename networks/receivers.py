"""Signal receivers: seed_demo's demo network (indicators never imports networks, so it announces itself)."""

from __future__ import annotations

from django.dispatch import receiver

from indicators.signals import demo_seeded


@receiver(demo_seeded)
def demo_network_load(sender, **kwargs):
    """Load the fictional network in demonstration mode only: beside real data its invented actors would sit on a
    real country's page."""
    stdout = kwargs.get("stdout")
    if kwargs.get("real_data"):
        if stdout is not None:
            stdout.write("Real data present: the fictional demonstration network is not loaded.")
        return None
    from networks.demo import demo_network_load as load

    return load(stdout=stdout)
