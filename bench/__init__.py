"""Performance benchmark of the person search and the person page (`make bench`, see bench/README.md)."""
