"""The pages behind client links are throttled per address: link tokens
cannot be tried by the thousand, nor forms flooded."""

import pytest

from salon.signin import ClientLinkThrottle

pytestmark = pytest.mark.django_db

LANDINGS = ["/forms/intake/{token}/", "/forms/feedback/{token}/", "/forms/cancel/{token}/"]


@pytest.mark.parametrize("landing", LANDINGS)
def test_an_address_guessing_tokens_is_told_to_wait(client, monkeypatch, landing):
    # given a limit of three a minute
    monkeypatch.setattr(ClientLinkThrottle, "rate", "3/min", raising=False)

    # when one address tries four made-up tokens
    statuses = [
        client.get(landing.format(token=f"made-up-{n}"), REMOTE_ADDR="203.0.113.5").status_code for n in range(4)
    ]

    # then the fourth is refused with a page that says to wait, and another address is not
    assert statuses == [404, 404, 404, 429]
    refused = client.get(landing.format(token="made-up-5"), REMOTE_ADDR="203.0.113.5")
    assert "Please wait a minute" in refused.content.decode()
    assert refused["Cache-Control"] == "no-store"
    assert client.get(landing.format(token="made-up-6"), REMOTE_ADDR="198.51.100.8").status_code == 404


def test_posts_to_the_forms_count_too(client, monkeypatch):
    monkeypatch.setattr(ClientLinkThrottle, "rate", "2/min", raising=False)

    statuses = [client.post("/forms/intake/", {}, REMOTE_ADDR="203.0.113.6").status_code for _ in range(3)]

    assert statuses == [404, 404, 429]  # no link opened: 404, until the limit
