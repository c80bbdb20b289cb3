"""The public register and the verification over the API: read-only, no sign-in needed.

``GET /api/v1/register/`` lists the certificates in force with the page's search and filters;
``GET /api/v1/verify/<code>/`` answers what the QR code's verification page says. Both give the
published facts only (``certification.selectors.PublicCertificate``), share the pages' rate and
caching (certification/public.py), and answer JSON only: no browsable page, which would carry
the visitor's CSRF token into an answer shared caches keep.
"""

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.filters import RegisterFilter
from certification.models import Certificate, Scheme
from certification.public import public_cache, public_rate_refusal, public_rate_wait
from certification.selectors import (
    PublicCertificate,
    certificate_by_code,
    public_certificate,
    register_list,
)
from rescue.api.schema import ErrorSerializer
from standards.choices import InterventionLevel, Setting


class PublicCertificateSerializer(serializers.Serializer):
    """A certificate's published facts and its status today."""

    number = serializers.CharField(help_text=gettext_lazy("The certificate's number."))
    url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The certificate's public verification page, by number.")
    )
    holder_name = serializers.CharField(
        help_text=gettext_lazy(
            "A certificate of competences: the person certified; empty for an institution's."
        )
    )
    institution_name = serializers.CharField(help_text=gettext_lazy("The certified institution."))
    country = serializers.CharField(
        help_text=gettext_lazy("The institution's country (ISO 3166-1 alpha-2).")
    )
    country_name = serializers.CharField()
    setting = serializers.ChoiceField(choices=Setting.choices)
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    level = serializers.ChoiceField(
        choices=InterventionLevel.choices,
        allow_blank=True,
        help_text=gettext_lazy("RESCUE-Intervention: the level certified; empty otherwise."),
    )
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(help_text=gettext_lazy("The last day of validity."))
    status = serializers.ChoiceField(
        choices=Certificate.Status.choices,
        help_text=gettext_lazy(
            "Today's status: a certificate past its last day of validity is expired."
        ),
    )
    valid = serializers.BooleanField(help_text=gettext_lazy("Whether it is valid today."))
    status_since = serializers.DateField(
        help_text=gettext_lazy(
            "The day the status began (expired: the day after the last day of validity)."
        )
    )
    suspended_until = serializers.DateField(
        allow_null=True, help_text=gettext_lazy("Suspended: the planned end, if one is set.")
    )
    superseded_by = serializers.CharField(
        allow_null=True,
        help_text=gettext_lazy("Superseded: the number of the certificate that replaces it."),
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, certificate: PublicCertificate) -> str:
        url = reverse("public:certificate", args=[certificate.number])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


TOO_MANY = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "Too many requests from this client; Retry-After says in how many seconds to ask again."
    ),
)
NOT_VERIFIED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "Signed in without the two-factor step the account requires (anonymous requests are "
        "answered)."
    ),
)


class PublicView(APIView):
    """No sign-in, JSON only, the public rate and caching."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        wait = public_rate_wait(request)
        if wait is not None:
            raise Throttled(wait=wait, detail=public_rate_refusal())

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        public_cache(request, response)
        return response


@extend_schema_view(
    get=extend_schema(
        tags=["register"],
        responses={200: PublicCertificateSerializer(many=True), 403: NOT_VERIFIED, 429: TOO_MANY},
    )
)
class RegisterListView(PublicView, ListAPIView):
    """The public register: the certificates in force (valid or suspended), of every
    institution, ordered by institution and number."""

    serializer_class = PublicCertificateSerializer
    filterset_class = RegisterFilter

    def get_queryset(self) -> QuerySet[Certificate]:
        return register_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        rows = [public_certificate(certificate) for certificate in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class VerifyView(PublicView):
    """What the verification page of the QR code's code says: the certificate's scope, dates
    and status today."""

    @extend_schema(
        tags=["register"],
        responses={
            200: PublicCertificateSerializer,
            403: NOT_VERIFIED,
            404: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("No certificate has this code.")
            ),
            429: TOO_MANY,
        },
    )
    def get(self, request: Request, code: str) -> Response:
        certificate = certificate_by_code(code)
        if certificate is None:
            raise NotFound(_("No such certificate."))
        return Response(PublicCertificateSerializer(certificate, context={"request": request}).data)


# Included in the API's routes (rescue/urls.py).
urlpatterns = [
    path("register/", RegisterListView.as_view(), name="certificate-register"),
    path("verify/<str:code>/", VerifyView.as_view(), name="certificate-verify"),
]
