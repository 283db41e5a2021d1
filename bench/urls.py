"""The project's URLs plus /bench/bare/<key>: the same bytes as a real page, with no work behind them."""

from pathlib import Path

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from mnr_portal.urls import urlpatterns as project_urlpatterns

BODIES = Path(__file__).resolve().parent / "results" / "bodies"


@csrf_exempt
def bare(request, key):
    return HttpResponse((BODIES / f"{key}.html").read_bytes(), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/<slug:key>", bare), *project_urlpatterns]
