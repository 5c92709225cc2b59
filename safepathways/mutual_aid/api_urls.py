"""REST endpoints of mutual_aid, mounted under /api/v1/ by safepathways.api.urls."""

urlpatterns: list[object] = []
