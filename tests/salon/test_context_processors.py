import pytest
from django.urls import get_script_prefix, set_script_prefix

from tests.factories import SalonFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

HEADER_LINKS = [
    'src="{prefix}/jsi18n/"',
    'class="brand" href="{prefix}/"',
    'href="{prefix}/my-day/"',
    'href="{prefix}/desk/"',
    'href="{prefix}/clients/"',
    'href="{prefix}/routines/"',
    'href="{prefix}/manage/"',
    'href="{prefix}/api/docs/"',
    'href="{prefix}/accounts/security/"',
    'action="{prefix}/accounts/location/"',
    'action="{prefix}/accounts/logout/"',
]


@pytest.mark.parametrize("prefix", ["", "/salon"])
def test_the_header_links_to_the_pages_of_the_site_under_its_prefix(client, manager, prefix):
    # given a manager granted two locations (the switcher is shown), signed in
    first = SalonFactory(name="Berlin")
    SalonFactory(name="London", business=first.business)
    sign_in(client, manager)

    # when a page is served under the prefix (as the WSGI handler sets it; the addresses are remembered per prefix)
    before = get_script_prefix()
    set_script_prefix(f"{prefix}/")
    try:
        html = client.get("/accounts/security/").content.decode()
    finally:
        set_script_prefix(before)

    # then every link of the header carries it
    for link in HEADER_LINKS:
        assert link.format(prefix=prefix) in html
