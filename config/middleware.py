import re
import uuid

from django.core.signals import request_finished

from config.logs import NO_REQUEST, current_request_id

# A proxy's id is kept when it is short and plain, so it cannot forge log lines.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._\-]{8,64}")


class RequestIdMiddleware:
    """Gives each request an id, taken from the proxy's ``X-Request-ID`` when
    it sends a sensible one: every log line written while the request is
    handled carries it, and the response returns it, so a user's report of a
    failure can be matched with the server's log.

    The id is forgotten when the response is finished, not when this
    middleware returns: Django logs 4xx answers ("Not Found: ...") after the
    middleware has run.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if ACCEPTED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        current_request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _forget_request_id(**kwargs) -> None:
    current_request_id.set(NO_REQUEST)


request_finished.connect(_forget_request_id, dispatch_uid="salon.forget_request_id")
