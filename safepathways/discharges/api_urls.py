"""REST endpoints of discharges, mounted under /api/v1/ by safepathways.api.urls."""

urlpatterns: list[object] = []
