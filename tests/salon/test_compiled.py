import pytest
from django.db.models import Count, Value

from salon.compiled import CompiledForIds, CompiledInsert, CompiledQuery
from salon.models import Room, Salon
from tests.factories import SalonFactory, UserFactory

# A query with a join, an annotation and a value that changes between calls.
named = CompiledQuery(
    lambda name: Salon.objects.filter(name=name).select_related("business").annotate(staff_count=Count("staff")),
    name="\0name",
)


@pytest.mark.django_db
def test_each_call_asks_with_its_own_values_and_gets_what_the_queryset_gets():
    # given two locations, one with a member of staff
    berlin, london = SalonFactory(name="Berlin"), SalonFactory(name="London")
    UserFactory(all_locations=False).locations.add(london)

    # when the compiled query asks for each in turn
    for location, staff in ((berlin, 0), (london, 1)):
        [found] = named.objects(name=location.name)

        # then it finds the one asked for, with its business and its annotation, as the queryset does
        expected = Salon.objects.select_related("business").annotate(staff_count=Count("staff")).get(pk=location.pk)
        assert (found.pk, found.name, found.staff_count) == (expected.pk, expected.name, staff)
        assert found.business.name == expected.business.name


@pytest.mark.django_db
def test_only_the_sql_is_kept_never_the_rows(django_assert_num_queries):
    # given a location the compiled query has already found
    berlin = SalonFactory(name="Berlin")
    named.objects(name="Berlin")

    # when it changes, then the next call asks again and sees the change
    Salon.objects.filter(pk=berlin.pk).update(slot_minutes=30)
    with django_assert_num_queries(1):
        [found] = named.objects(name="Berlin")
    assert found.slot_minutes == 30


@pytest.mark.django_db
def test_rows_come_as_values_list_gives_them():
    SalonFactory(name="Berlin", slot_minutes=20)
    names = CompiledQuery(lambda name: Salon.objects.filter(name=name).values_list("name", "slot_minutes"), name="\0n")

    assert names.values(name="Berlin") == list(Salon.objects.values_list("name", "slot_minutes"))
    assert names.values(name="Nowhere") == []


@pytest.mark.django_db
def test_a_marker_the_query_does_not_hold_is_refused():
    # given a builder that ignores its value (it would bake another in)
    ignoring = CompiledQuery(lambda name: Salon.objects.filter(name="Berlin"), name="\0name")

    # then it is refused rather than run with the wrong SQL
    with pytest.raises(ValueError, match="no marker for name"):
        ignoring.objects(name="London")


@pytest.mark.django_db
def test_a_marker_is_told_from_an_equal_value_of_another_type():
    # given a query that also holds True where the marker is 1 (True == 1 in Python)
    SalonFactory(name="Berlin", slot_minutes=15)
    grid = CompiledQuery(
        lambda minutes: Salon.objects.filter(slot_minutes=minutes).values_list("name", Value(True)), minutes=1
    )

    # when it asks for another grid, then only the marker is replaced
    [(name, flag)] = grid.values(minutes=15)
    assert (name, flag, type(flag)) == ("Berlin", True, bool)


by_ids = CompiledForIds(
    lambda ids, name: Salon.objects.filter(pk__in=ids).exclude(name=name).order_by("pk"), name="\0name"
)


@pytest.mark.django_db
def test_a_list_of_ids_of_any_length_finds_what_the_queryset_finds(django_assert_num_queries):
    # given five locations
    locations = [SalonFactory(name=f"Location {number}") for number in range(5)]
    ids = [location.pk for location in locations]

    # when lists of every length up to five ask, with another value beside them
    for length in range(6):
        with django_assert_num_queries(1 if length else 0):
            found = by_ids.values(ids[:length], name="Location 0")

        # then each finds what the queryset finds (a list filled up to its size finds no more)
        expected = Salon.objects.filter(pk__in=ids[:length]).exclude(name="Location 0").order_by("pk")
        assert found == list(expected.values_list(*[field.attname for field in Salon._meta.concrete_fields]))


new_rooms = CompiledInsert(Room)


@pytest.mark.django_db
def test_compiled_inserts_write_the_rows_bulk_create_writes_and_give_their_ids(django_assert_num_queries):
    # Given a location and two rooms not saved yet, one with its defaults left alone
    salon = SalonFactory()
    first = Room(salon=salon, name="Linden", equipment="heated table")
    second = Room(salon=salon, name="Birch")

    # When both are written at once
    with django_assert_num_queries(1):
        new_rooms.save(first, second)

    # Then each has its id and the rows hold what the ORM would have written
    assert first.pk is not None
    assert second.pk not in (None, first.pk)
    assert not first._state.adding
    written = list(
        Room.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk").values("name", "equipment", "active")
    )
    assert written == [
        {"name": "Linden", "equipment": "heated table", "active": True},
        {"name": "Birch", "equipment": "", "active": True},
    ]


@pytest.mark.django_db
def test_a_compiled_insert_refuses_a_row_whose_related_row_is_not_saved():
    # Given a room of a location that was never saved
    room = Room(salon=Salon(name="Nowhere"), name="Oak")

    # When it is written, Then it is refused as bulk_create refuses it, and nothing is written
    with pytest.raises(ValueError, match="unsaved related object"):
        new_rooms.save(room)
    assert not Room.objects.filter(name="Oak").exists()
