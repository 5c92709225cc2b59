"""REST endpoints of continuity, mounted under /api/v1/ by safepathways.api.urls."""

urlpatterns: list[object] = []
