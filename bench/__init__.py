"""Performance benchmark of search, the person page, the work pages, the dashboard and matching (`make bench`)."""
