"""Public verification of an OCOP certificate, and the QR code a producer prints on its packaging."""

import io

import qrcode
import qrcode.constants
import qrcode.image.pil
import qrcode.image.svg
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views import View

from accounts.roles import actor_for
from catalog import permissions, selectors
from catalog.models import Certificate, Product


def verification_url(certificate: Certificate) -> str:
    """The absolute address printed in the QR code: the portal's public address, never the request's host."""
    # The default language has no prefix, so a package always leads to the same address.
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("catalog:certificate-verify", args=[certificate.verification_code])
    return f"{settings.PORTAL_URL}{path}"


def _ascii_slug(text: str) -> str:
    # slugify() drops "Đ" (it has no ASCII decomposition); decision numbers are full of "QĐ".
    return slugify(text.replace("Đ", "D").replace("đ", "d").replace("/", "-"))


class CertificateVerifyView(View):
    """What a shopper sees after scanning the QR code: is this certificate valid today?"""

    template_name = "catalog/verify/certificate.html"
    not_found_template_name = "catalog/verify/not_found.html"

    def get(self, request, code):
        certificate = selectors.certificate_get_by_code(code)
        if certificate is None:
            # Not Http404: the visitor must read that the label itself may be counterfeit.
            response = render(request, self.not_found_template_name, self.common_context(), status=404)
        else:
            response = render(request, self.template_name, self.get_context_data(certificate))
        # The status changes (expiry, revocation): a cached "Valid" would mislead.
        patch_cache_control(response, no_cache=True)
        return response

    def common_context(self):
        return {"portal_host": settings.PORTAL_URL.split("://", 1)[-1]}

    def get_context_data(self, certificate):
        product = certificate.product
        is_public = Product.objects.public().filter(pk=product.pk).exists()
        current = product.current_certificate
        newer = current if current is not None and current.pk != certificate.pk else None
        return {
            **self.common_context(),
            "certificate": certificate,
            "status": certificate.public_status,
            "product": product,
            "producer": product.producer,
            # A product that is not public shows its name only (as on the decision), not its photo or page.
            "photo": product.primary_photos[0] if is_public and product.primary_photos else None,
            "product_url": product.get_absolute_url() if is_public else None,
            "newer_certificate": newer,
            "checked_on": timezone.localdate(),
        }


class CertificateQrView(View):
    """The QR code of a certificate's verification page, for the producer's packaging (PNG or SVG)."""

    fmt = "png"
    content_types = {"png": "image/png", "svg": "image/svg+xml"}

    def get(self, request, code):
        certificate = selectors.certificate_get_by_code(code)
        if certificate is None or not self.may_download(request, certificate):
            # Anyone else gets the same answer as for an unknown code: nothing about the certificate leaks.
            raise Http404
        response = HttpResponse(
            self.render_qr(verification_url(certificate)), content_type=self.content_types[self.fmt]
        )
        filename = "-".join(
            part
            for part in ("ocop", _ascii_slug(certificate.decision_number), _ascii_slug(certificate.product.name)[:40])
            if part
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{filename}.{self.fmt}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True)
        return response

    @staticmethod
    def may_download(request, certificate) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if user.is_staff and user.has_perm(permissions.VIEW_CERTIFICATES):
            return True
        organisation = actor_for(request).organisation
        return organisation is not None and organisation.pk == certificate.product.producer_id

    def render_qr(self, data: str) -> bytes:
        factory = qrcode.image.svg.SvgPathImage if self.fmt == "svg" else qrcode.image.pil.PilImage
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
        qr.add_data(data)
        qr.make(fit=True)
        image = qr.make_image(image_factory=factory)
        if self.fmt == "svg":
            return image.to_string(encoding="UTF-8", xml_declaration=True)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()
