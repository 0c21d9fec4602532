import pytest

from salon.errors import InvalidInput
from salon.services import salon_create

pytestmark = pytest.mark.django_db


def test_a_salon_keeps_its_iana_time_zone():
    salon = salon_create(name="Lindenhof", time_zone="Europe/Berlin")

    assert salon.zone.key == "Europe/Berlin"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "CEST", "europe/berlin", ""])
def test_a_time_zone_that_is_not_iana_is_refused_naming_the_field(zone):
    with pytest.raises(InvalidInput) as refused:
        salon_create(name="Lindenhof", time_zone=zone)

    assert "time_zone" in refused.value.fields


def test_currency_must_be_an_iso_code():
    with pytest.raises(InvalidInput) as refused:
        salon_create(name="Lindenhof", time_zone="Europe/Berlin", currency="euro")

    assert "currency" in refused.value.fields
