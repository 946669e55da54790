"""Load the tracked countries from the crosswalk reference list and assign each to a regional desk."""

import csv
from pathlib import Path

from django.db import migrations

COUNTRIES_CSV = Path(__file__).resolve().parent.parent / "reference" / "countries.csv"

DESKS = {
    "sub-saharan-africa": "Sub-Saharan Africa desk",
    "mena": "Middle East and North Africa desk",
    "europe-central-asia": "Europe and Central Asia desk",
    "south-asia": "South Asia desk",
    "east-asia-pacific": "East Asia and Pacific desk",
    "americas": "Americas desk",
}

# The South Caucasus and Türkiye sit in UN "Western Asia" but are handled by the Europe desk, and Iran by
# the Middle East desk, as most foreign ministries organise them.
DESK_OVERRIDES = {
    "ARM": "europe-central-asia",
    "AZE": "europe-central-asia",
    "GEO": "europe-central-asia",
    "TUR": "europe-central-asia",
    "CYP": "europe-central-asia",
    "IRN": "mena",
}


def desk_slug_for(iso3: str, region: str, subregion: str) -> str:
    if iso3 in DESK_OVERRIDES:
        return DESK_OVERRIDES[iso3]
    if region == "Africa":
        return "mena" if subregion == "Northern Africa" else "sub-saharan-africa"
    if region == "Americas":
        return "americas"
    if region == "Europe" or subregion == "Central Asia":
        return "europe-central-asia"
    if subregion == "Western Asia":
        return "mena"
    if subregion == "Southern Asia":
        return "south-asia"
    return "east-asia-pacific"


def load(apps, schema_editor):
    Desk = apps.get_model("indicators", "Desk")
    Country = apps.get_model("indicators", "Country")
    desks = {slug: Desk.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in DESKS.items()}
    with COUNTRIES_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    Country.objects.bulk_create(
        [
            Country(
                iso3=row["iso3"],
                name=row["name"],
                region=row["region"],
                subregion=row["subregion"],
                gw_code=int(row["gw_code"]) if row["gw_code"] else None,
                cow_code=int(row["cow_code"]) if row["cow_code"] else None,
                wb_code=row["wb_code"],
                un_status=row["un_status"],
                desk=desks[desk_slug_for(row["iso3"], row["region"], row["subregion"])],
            )
            for row in rows
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_roles_framework_methodology")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
