"""Clients API. Contact data for all staff; screening answers only for those
allowed (managers, and therapists with a session with the client), filtered in
the queryset; every read of answers is logged."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from clients import selectors, services
from clients.models import Client, ClientConsentChange, ClientLink, HealthDataAccess, HealthScreening
from clients.serializers import (
    AreasMarkSerializer,
    ClearanceRequestSerializer,
    ClientCreatedSerializer,
    ClientDuplicateSerializer,
    ClientMergeRequestSerializer,
    ClientMergeSerializer,
    ClientSerializer,
    FlagSerializer,
    IntakeLinkSendSerializer,
    IntakeLinkSentSerializer,
    IntakeLinkSerializer,
    ScreeningReceiptSerializer,
    ScreeningSerializer,
    client_export_data,
)
from salon.errors import NotFound
from salon.locations import LOCATION_PARAMETER_HELP, location_for
from salon.roles import HasRole, Role

STAFF = HasRole.of(Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)
FRONT_DESK = HasRole.of(Role.RECEPTIONIST, Role.MANAGER)
CLINICAL = HasRole.of(Role.THERAPIST, Role.MANAGER)
MANAGERS = HasRole.of(Role.MANAGER)
Via = ClientConsentChange.Via


class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients of the business, shared by all its locations. ``?q=`` searches
    names, phone and email by prefix (a phone number in the country of
    ``?location=``); ``?archived=1`` includes archived clients. A client
    created here is added at ``?location=``."""

    serializer_class = ClientSerializer

    def get_permissions(self):
        front_desk = {"create", "update", "partial_update", "archive", "restore", "intake_link", "send_intake_link"}
        if self.action in {*front_desk, "duplicates", "merge"}:
            return [FRONT_DESK()]
        if self.action in {"clearance", "avoid_areas"}:
            return [CLINICAL()]
        if self.action in {"export", "erase"}:
            return [MANAGERS()]
        return [STAFF()]

    def get_queryset(self):
        salon_clients = Client.objects.select_related("business")
        if getattr(self, "swagger_fake_view", False):  # schema generation reads no data
            return Client.objects.none()
        if self.action != "list":
            return salon_clients
        salon = location_for(self.request.user, self.request.query_params.get("location"))
        found = selectors.client_search(
            salon=salon,
            query=self.request.query_params.get("q", ""),
            include_archived=self.request.query_params.get("archived") == "1",
        )
        return selectors.clients_visible_to(self.request.user, found)

    def get_object(self):
        """A therapist reaches only the clients of their own sessions (403 for others)."""
        return selectors.client_for(user=self.request.user, client=super().get_object())

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Start of a name, phone number or email."),
            OpenApiParameter("archived", bool, description="1 to include archived clients."),
            OpenApiParameter("location", int, description=LOCATION_PARAMETER_HELP),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={201: ClientCreatedSerializer},
        parameters=[OpenApiParameter("location", int, description=LOCATION_PARAMETER_HELP)],
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        salon = location_for(request.user, request.query_params.get("location"))
        client = services.client_create(salon=salon, by=request.user, via=Via.API, **serializer.validated_data)
        duplicates = list(selectors.client_duplicates(client=client).values_list("pk", flat=True))
        body = ClientCreatedSerializer(client, context={"duplicates": duplicates}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        client = self.get_object()
        serializer = self.get_serializer(client, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        client = services.client_update(client=client, by=request.user, via=Via.API, **serializer.validated_data)
        return Response(self.get_serializer(client).data)

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Hide the client from search; nothing is deleted."""
        client = services.client_archive(client=self.get_object(), archived=True)
        return Response(self.get_serializer(client).data)

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        client = services.client_archive(client=self.get_object(), archived=False)
        return Response(self.get_serializer(client).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything the salon holds about the client, as JSON (managers)."""
        client = self.get_object()
        data = client_export_data(client)
        services.client_export_record(client=client, user=request.user)
        return Response(data)

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Remove the client's personal and health data; an anonymous record stays for visit counts."""
        client = services.client_erase(client=self.get_object(), user=request.user)
        return Response(self.get_serializer(client).data)

    @extend_schema(request=None, responses={201: IntakeLinkSerializer})
    @action(detail=True, methods=["post"], url_path="intake-link")
    def intake_link(self, request, pk=None):
        """A signed, single-use link to the health intake form, valid for 7 days, to send to the client."""
        link, url = services.client_link_create(
            client=self.get_object(), purpose=ClientLink.Purpose.INTAKE, created_by=request.user
        )
        return Response(IntakeLinkSerializer({"url": url, "expires_at": link.expires_at}).data, status=201)

    @extend_schema(request=IntakeLinkSendSerializer, responses={201: IntakeLinkSentSerializer})
    @action(detail=True, methods=["post"], url_path="send-intake-link")
    def send_intake_link(self, request, pk=None):
        """Send the client the link to the intake form now, by email or SMS,
        through the outbox, with their next session (409 ``no_session_ahead``
        without one)."""
        body = IntakeLinkSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.client_intake_link_send(client=self.get_object(), by=request.user, **body.validated_data)
        return Response(IntakeLinkSentSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ClientDuplicateSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def duplicates(self, request, pk=None):
        """Other clients of the business who may be the same person (same
        email, same phone, or same name and date of birth), at most 20."""
        client = self.get_object()
        found = selectors.client_duplicates(client=client).select_related("business")[:20]
        return Response(ClientDuplicateSerializer(found, many=True, context={"client": client}).data)

    @extend_schema(request=ClientMergeRequestSerializer, responses=ClientMergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the duplicate ``merge`` into this client in one transaction:
        its visits, screenings, links, messages and consent history move here,
        empty contact fields are filled from it, and it is archived as merged.
        409 with ``merge_same_client``, ``merge_other_business``,
        ``client_already_merged``, ``client_erased`` or ``client_archived``."""
        keep = self.get_object()
        body = ClientMergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merge = Client.objects.filter(pk=body.validated_data["merge"]).first()
        if merge is None:
            raise NotFound(
                _("There is no such client to merge."),
                code="client_not_found",
                fields={"merge": [_("No such client.")]},
            )
        record = services.client_merge(keep=keep, merge=merge, by=request.user)
        return Response(ClientMergeSerializer(record).data)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="The evaluated outcome of the latest screening. Those who may not read health answers "
        "(receptionists; therapists without a session with the client) get only `flags`.",
    )
    @action(detail=True, methods=["get"], url_path="screening-outcome")
    def screening_outcome(self, request, pk=None):
        client = self.get_object()
        outcome = selectors.client_outcome(client)
        flags = FlagSerializer(selectors.outcome_flags(outcome), many=True).data
        if not selectors.can_read_health_answers(request.user, client):
            return Response({"flags": flags})
        services.health_access_log(client=client, action=HealthDataAccess.Action.VIEW, user=request.user)
        return Response({"flags": flags, "outcome": outcome.to_dict()})

    def _screening_for_clinician(self, request):
        """The latest screening, for a therapist with a session with the client or a manager."""
        client = self.get_object()
        if not selectors.can_read_health_answers(request.user, client):
            raise PermissionDenied("Only a therapist with a session with this client, or a manager, can do this.")
        screening = selectors.screening_latest(client)
        if screening is None:
            raise PermissionDenied("This client has no screening yet.")
        return screening

    @extend_schema(request=ClearanceRequestSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def clearance(self, request, pk=None):
        """A therapist records that a blocking finding of the latest screening
        no longer applies (e.g. the spinal inflammation has settled)."""
        screening = self._screening_for_clinician(request)
        body = ClearanceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clearance = services.screening_clear(screening=screening, cleared_by=request.user, **body.validated_data)
        return Response(
            {
                "rule": clearance.rule,
                "cleared_at": clearance.cleared_at,
                "cleared_by": request.user.username,
                "expires_at": clearance.expires_at,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=AreasMarkSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="avoid-areas")
    def avoid_areas(self, request, pk=None):
        """A therapist who has looked marks areas to keep away from on the
        latest screening; the plans of coming sessions are rebuilt."""
        screening = self._screening_for_clinician(request)
        body = AreasMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mark = services.screening_areas_mark(screening=screening, marked_by=request.user, **body.validated_data)
        return Response(
            {"areas": mark.areas, "marked_at": mark.cleared_at, "marked_by": request.user.username},
            status=status.HTTP_201_CREATED,
        )


class ScreeningViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """A client's screenings, newest first. Answers are listed only to those
    allowed to read them. The front desk (from a paper form), managers and the
    client's own therapists can enter a new screening on the client's behalf;
    the receipt of someone who may not read answers carries none, and answers
    the front desk typed in wait for the therapist's review."""

    serializer_class = ScreeningSerializer
    permission_classes = [STAFF]
    pagination_class = None

    def client(self) -> Client:
        if not hasattr(self, "_client"):
            client = get_object_or_404(Client.objects.select_related("business"), pk=self.kwargs["client_pk"])
            self._client = selectors.client_for(user=self.request.user, client=client)
        return self._client

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no client
            return HealthScreening.objects.none()
        return selectors.screenings_visible_to(self.request.user, self.client())

    def list(self, request, *args, **kwargs):
        client = self.client()
        if not selectors.can_read_health_answers(request.user, client):
            raise PermissionDenied("Your role sees a client's flags, not the screening answers.")
        response = super().list(request, *args, **kwargs)
        services.health_access_log(client=client, action=HealthDataAccess.Action.VIEW, user=request.user)
        return response

    @extend_schema(
        responses={
            201: PolymorphicProxySerializer(
                component_name="ScreeningCreated",
                serializers=[ScreeningSerializer, ScreeningReceiptSerializer],
                resource_type_field_name=None,
            )
        },
        description="Those who may read the client's answers get the screening back; others a receipt with the "
        "front desk's flags.",
        examples=[
            OpenApiExample(
                "A healthy client who consents",
                value={"consent_treatment": True, "consent_health_data": True, "consent_name": "Sabine Krüger"},
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        client = self.client()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        screening = services.screening_create(
            client=client,
            answers=dict(serializer.validated_data),
            entered_via=HealthScreening.EnteredVia.STAFF,
            entered_by=request.user,
        )
        if selectors.can_read_health_answers(request.user, client):
            body = ScreeningSerializer(screening).data
        else:
            flags = selectors.outcome_flags(selectors.client_outcome(client))
            receipt = {"id": screening.pk, "created_at": screening.created_at, "flags": flags}
            body = ScreeningReceiptSerializer(receipt).data
        return Response(body, status=status.HTTP_201_CREATED)
