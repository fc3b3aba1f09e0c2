"""The list and detail shapes of a facility, compared with reviewed golden files.

Any change to a field name, a type, a nesting or a date format shows up as a diff against
tests/api/golden/*.json. Time is frozen so timestamps are stable; database ids are
replaced by placeholders. After an intended change of the shape, regenerate with
`UPDATE_GOLDEN=1 pytest tests/api/test_golden.py`, review the diff and commit it.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from catalogue.models import Facility
from tests.api.conftest import API
from tests.factories import EquipmentFactory, FacilityFactory, OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
FROZEN = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def golden_facility(frozen, flanders) -> Facility:
    host = OrganisationFactory(name="Flanders Make", slug="flanders-make", acronym="FM", region=flanders)
    facility = FacilityFactory(
        name="Composite Testing Lab",
        slug="composite-testing-lab",
        acronym="CTL",
        name_de="Verbundwerkstoff-Prüflabor",
        name_nl="Composietentestlab",
        tagline="Mechanical testing of composites",
        tagline_nl="Mechanische beproeving van composieten",
        description="Static and fatigue testing of fibre-reinforced composites for SMEs.",
        original_language="en",
        website="https://example.org/ctl",
        facility_type="research-lab",
        region=flanders,
        host=host,
        address="Gaston Geenslaan 8",
        city="Leuven",
        postcode="3001",
        latitude=Decimal("50.86510"),
        longitude=Decimal("4.67170"),
        technologies=["advanced-materials", "advanced-manufacturing"],
        scientific_domains=["engineering-technology"],
        application_sectors=["c"],
        access_types=["physical"],
        access_modes=["fee-based"],
        target_users=["smes", "start-ups"],
        keywords=["composites", "fatigue"],
        trl_min=3,
        trl_max=6,
        order_type="request-required",
        pricing="cost-recovery",
        price_indication="From EUR 800 a day",
        lead_time="2 weeks",
        support_level="assisted",
        training_offered=True,
        certifications="ISO 17025",
        contact_name="Lab desk",
        contact_email="ctl@example.org",
        contact_phone="+32 16 00 00 00",
        source="api",
        external_id="CTL-1",
        published=True,
    )
    machine = EquipmentFactory(
        facility=facility,
        name="Servo-hydraulic test rig",
        description="100 kN, fatigue up to 50 Hz.",
        manufacturer="Instron",
        model_name="8801",
        category="mechanical-testing",
        techniques="tension, compression, fatigue",
        bookable=True,
        training_required=True,
    )
    service = ServiceFactory(
        facility=facility,
        name="Fatigue testing",
        service_type="testing-validation",
        description="S-N curves to ISO 13003.",
        trl_min=4,
        trl_max=6,
        turnaround="3 weeks",
        pricing="On quotation",
        deliverables="Test report",
    )
    service.equipment.set([machine])
    return Facility.objects.get(pk=facility.pk)


def normalised(body: Any, ids: dict[Any, str], table: str = "facility") -> Any:
    """Database ids replaced by stable names, per table (equipment and services by their order).

    Equipment and services have their own id sequences, so the same number can name one
    of each: the names are kept per table.
    """

    def name(kind: str, value: int) -> str:
        return ids.setdefault((kind, value), f"<{kind} {sum(1 for k in ids if k[0] == kind) + 1}>")

    if isinstance(body, dict):
        out = {}
        for key, value in body.items():
            if key == "id":
                out[key] = name(table, value)
            elif key == "equipment" and isinstance(value, list) and all(isinstance(v, int) for v in value):
                out[key] = [name("equipment", v) for v in value]
            elif key in ("equipment", "services") and isinstance(value, list):
                out[key] = [
                    normalised(item, ids, "equipment" if key == "equipment" else "service") for item in value
                ]
            else:
                out[key] = normalised(value, ids, table)
        return out
    if isinstance(body, list):
        return [normalised(item, ids, table) for item in body]
    return body


def assert_matches_golden(name: str, body: Any) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1, review it and commit it"
    assert body == json.loads(path.read_text())


def test_list_item_shape_matches_the_golden_file(api, golden_facility):
    response = api.get(f"{API}/facilities/")

    assert response.status_code == 200
    assert_matches_golden("facility_list.json", normalised(response.json(), {}))


def test_detail_shape_matches_the_golden_file(api, golden_facility):
    response = api.get(f"{API}/facilities/{golden_facility.slug}/")

    assert response.status_code == 200
    assert_matches_golden("facility_detail.json", normalised(response.json(), {}))


def test_detail_extends_the_list_item_without_changing_shared_fields(api, golden_facility):
    item = api.get(f"{API}/facilities/").json()["results"][0]
    one = api.get(f"{API}/facilities/{golden_facility.slug}/").json()

    assert set(item) < set(one)
    assert {key: one[key] for key in item} == item
