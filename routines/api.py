"""Routines API: every member of staff reads; managers write, through the
same validation as everywhere else. (Previewing a plan composes routines with
screenings and lives in the sessions app, under /api/v1/routines/ too.)"""

from rest_framework import mixins, viewsets
from rest_framework.response import Response

from routines import selectors, services
from routines.serializers import RoutineSerializer
from salon.locations import slot_grid_for
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
