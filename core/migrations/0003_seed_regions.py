"""The eight regions of INNO INFRA SHARE (NUTS 2021, ../shared/DOMAIN.md)."""

from django.db import migrations

REGIONS = [
    # code, name, country, NUTS, level, partner, lead, lat, lng, languages
    ("flanders", "Flanders", "BE", "BE2", 1, "Flanders Make", False, 51.05, 4.40, ["nl", "en"]),
    (
        "south-moravia",
        "South Moravia",
        "CZ",
        "CZ064",
        3,
        "Brno University of Technology",
        False,
        49.20,
        16.61,
        ["cs", "en"],
    ),
    ("tartu", "Tartu", "EE", "EE008", 3, "Tartu City Government", False, 58.38, 26.72, ["et", "en"]),
    ("chemnitz", "Chemnitz", "DE", "DED4", 2, "TU Chemnitz", False, 50.83, 12.92, ["de", "en"]),
    ("emilia-romagna", "Emilia-Romagna", "IT", "ITH5", 2, "ASTER", True, 44.49, 11.34, ["it", "en"]),
    ("vidzeme", "Vidzeme", "LV", "LV008", 3, "Vidzeme Planning Region", False, 57.31, 25.27, ["lv", "en"]),
    (
        "brainport",
        "Brainport Eindhoven",
        "NL",
        "NL414",
        3,
        "Brainport Development",
        False,
        51.44,
        5.47,
        ["nl", "en"],
    ),
    ("skane", "Skåne", "SE", "SE224", 3, "Region Skåne", False, 55.60, 13.00, ["sv", "en"]),
]


def seed(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    for code, name, country, nuts, level, partner, lead, lat, lng, languages in REGIONS:
        Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "country": country,
                "nuts_code": nuts,
                "nuts_level": level,
                "partner_name": partner,
                "is_lead_partner": lead,
                "latitude": lat,
                "longitude": lng,
                "languages": languages,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("core", "Region").objects.filter(code__in=[r[0] for r in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_configuration")]

    operations = [migrations.RunPython(seed, unseed)]
