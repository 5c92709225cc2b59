"""REST endpoints of oversight, mounted under /api/v1/ by safepathways.api.urls."""

urlpatterns: list[object] = []
