"""Signal receivers: seed_demo's demo network (indicators never imports networks, so it announces itself)."""

from __future__ import annotations

from django.dispatch import receiver

from indicators.signals import demo_seeded


@receiver(demo_seeded)
def demo_network_load(sender, **kwargs):
    from networks.demo import demo_network_load as load

    return load(stdout=kwargs.get("stdout"))
