"""The portal's URLs plus the baseline search (ROOT_URLCONF=bench.urls, benchmarks only)."""

from django.urls import path

from bench import baseline
from innoinfra.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("bench/baseline/", baseline.search, name="bench-baseline"), *portal_urlpatterns]
