"""Routines API: every member of staff reads; managers write, through the
same validation as everywhere else. (Previewing a plan composes routines with
screenings and lives in the sessions app, under /api/v1/routines/ too.)"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from routines import selectors, services
from routines.serializers import RoutineSerializer, ServiceSerializer
from salon.errors import NotFound
from salon.locations import LOCATION_PARAMETER_HELP, location_for, slot_grid_for
from salon.roles import HasRole, Role

STAFF = HasRole.of(Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)
MANAGERS = HasRole.of(Role.MANAGER)


class RoutineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Routine templates. The list holds current, active versions
    (``?archived=1`` adds archived ones); any version can be fetched by id.
    Changing a version that session plans use answers with the new version."""

    serializer_class = RoutineSerializer

    def get_permissions(self):
        if self.action in {"create", "update", "partial_update"}:
            return [MANAGERS()]
        return [STAFF()]

    def get_queryset(self):
        if self.action == "list":
            return selectors.routine_list(include_archived=self.request.query_params.get("archived") == "1")
        return selectors.routine_versions()

    def get_serializer_context(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return super().get_serializer_context()
        grid = slot_grid_for(self.request.user, self.request.query_params.get("location"))
        return {**super().get_serializer_context(), "slot_grid_minutes": grid}

    def perform_create(self, serializer):
        serializer.instance = services.routine_create(**serializer.validated_data)

    def update(self, request, *args, **kwargs):
        routine = self.get_object()
        serializer = self.get_serializer(routine, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("slug", None)
        result = services.routine_update(routine=routine, **changes)
        result = self.get_queryset().get(pk=result.pk)
        return Response(self.get_serializer(result).data)


LOCATION = OpenApiParameter("location", int, description=LOCATION_PARAMETER_HELP)
SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The routine's slug.")


@extend_schema_view(
    list=extend_schema(parameters=[LOCATION], responses=ServiceSerializer(many=True)),
    retrieve=extend_schema(parameters=[LOCATION, SLUG], responses=ServiceSerializer),
    update=extend_schema(parameters=[LOCATION, SLUG], request=ServiceSerializer, responses=ServiceSerializer),
)
class ServiceViewSet(viewsets.ViewSet):
    """A location's service menu (``?location=``): every current routine with
    whether it is offered there, the lengths it is sold in with their prices
    (minor units of the location's currency), its turnover, its description
    for clients and whether clients may book it online. Staff read it;
    managers set a routine's entry with PUT. Bookings keep the price they
    were made at."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_permissions(self):
        return [MANAGERS()] if self.action == "update" else [STAFF()]

    def _location(self):
        return location_for(self.request.user, self.request.query_params.get("location"))

    @staticmethod
    def _entry(routine, *, salon, menu, withheld) -> dict:
        spec = selectors.routine_spec(routine)
        entry = menu.get(routine.slug)
        return {
            "slug": routine.slug,
            "routine": routine.pk,
            "name": routine.name,
            "typical_minutes": spec.typical_minutes,
            "minimum_minutes": spec.minimum_minutes,
            "offered": routine.slug not in withheld,
            "description": entry.description if entry else "",
            "turnover_minutes": entry.turnover_minutes if entry else None,
            "online": entry.online if entry else False,
            "translations": entry.translations if entry else {},
            "currency": salon.currency,
            "lengths": [{"minutes": m, "price_minor": p} for m, p in (entry.prices.items() if entry else [])],
        }

    def _render(self, salon, routines):
        menu = selectors.service_menu(salon=salon)
        withheld = selectors.routines_withheld(salon=salon)
        return [self._entry(routine, salon=salon, menu=menu, withheld=withheld) for routine in routines]

    def _routine(self, slug):
        routine = selectors.routine_list().filter(slug=slug).first()
        if routine is None:
            raise NotFound(_("There is no current routine with that slug."), code="not_found")
        return routine

    def list(self, request):
        return Response(ServiceSerializer(self._render(self._location(), selectors.routine_list()), many=True).data)

    def retrieve(self, request, slug=None):
        routine = self._routine(slug)
        return Response(ServiceSerializer(self._render(self._location(), [routine])[0]).data)

    def update(self, request, slug=None):
        salon = self._location()
        routine = self._routine(slug)
        body = ServiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.service_set(
            salon=salon,
            routine=routine,
            offered=data["offered"],
            description=data["description"],
            turnover_minutes=data["turnover_minutes"],
            online=data["online"],
            translations=data["translations"],
            lengths=[(length["minutes"], length["price_minor"]) for length in data["lengths"]],
        )
        return Response(ServiceSerializer(self._render(salon, [routine])[0]).data)
