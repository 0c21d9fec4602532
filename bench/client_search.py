"""Client search at the front desk over 100,000 clients (target: median under
50 ms). Rows are bulk-inserted with the same normalisation the service uses."""

import random

from bench.harness import measure, scratch_database

CLIENTS = 100_000
GIVEN = ["Anna", "Jonas", "Mira", "Lukas", "Sabine", "Thomas", "Leonie", "Mehmet", "Julia", "Olivia", "Étienne",
         "Katharina", "Felix", "Aisha", "Henrik", "Marta", "Jürgen", "Zoë", "Noah", "Emma"]  # fmt: skip
FAMILY = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
          "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun", "Yılmaz", "Nowak"]  # fmt: skip


def fill(salon) -> None:
    from clients.models import Client
    from clients.search import name_keys

    rng = random.Random(7)
    batch = []
    for number in range(CLIENTS):
        given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)}{'' if number % 3 else '-' + rng.choice(FAMILY)}"
        batch.append(
            Client(
                business_id=salon.business_id,
                given_name=given,
                family_name=family,
                email=f"{given.lower()}.{number}@example.com",
                phone=f"+4915{number:09d}",
                **name_keys(given, family),
            )
        )
        if len(batch) == 5000:
            Client.objects.bulk_create(batch)
            batch = []


def main() -> None:
    with scratch_database():
        from django.db import connection

        from clients.selectors import client_search
        from tests.factories import SalonFactory

        salon = SalonFactory(phone_region="DE")
        fill(salon)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE clients_client")

        def search(query):
            return lambda: list(client_search(salon=salon, query=query)[:50])

        measure("client_search_family_prefix", search("schrö"), repeat=100, clients=CLIENTS)
        measure("client_search_full_name", search("anna mül"), repeat=100, clients=CLIENTS)
        measure("client_search_phone", search("0151 2345"), repeat=100, clients=CLIENTS)
        measure("client_search_email", search("zoë.99"), repeat=100, clients=CLIENTS)
        measure("client_search_no_match", search("xylophon"), repeat=100, clients=CLIENTS)


if __name__ == "__main__":
    main()
