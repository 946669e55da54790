"""Signal receivers: seed_demo's demo network (indicators never imports networks, so it announces itself), and its
withdrawal once real data is in."""

from __future__ import annotations

from django.dispatch import receiver

from indicators.signals import demo_seeded, demonstration_retired


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


@receiver(demonstration_retired, dispatch_uid="networks_withdraw_on_demonstration_retired")
def demo_network_withdraw(sender, dataset_import, demonstration_imports, **kwargs):
    """The first real import withdraws the fictional network in its own transaction."""
    from networks.services.demonstration import demonstration_network_withdraw

    return demonstration_network_withdraw(dataset_import=dataset_import, demonstration_imports=demonstration_imports)
